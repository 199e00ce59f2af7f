#include "store/bounded_pool.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <thread>
#include <vector>

namespace latchkey::store {
namespace {

// Stands in for a database connection: a serial number, and what the recycler should say.
struct FakeConnection {
  int serial = 0;
  Returned on_return = Returned::reuse;
};

// Counts what the pool asks of it; opening fails while `refuse_open` is set.
struct FakeDriver {
  int opened = 0;
  int recycled = 0;
  bool refuse_open = false;
};

using Pool = BoundedPool<FakeConnection>;

// A pool over `d` that waits at most `wait_ms` for a connection to come back.
std::unique_ptr<Pool> pool_over(FakeDriver& d, size_t max, int wait_ms = 0,
                                std::unique_ptr<FakeConnection> first = nullptr) {
  return std::make_unique<Pool>(
      "fake", PoolLimits{max, wait_ms},
      [&d]() -> Result<std::unique_ptr<FakeConnection>> {
        if (d.refuse_open) return fail(Error::of(Errc::unavailable, "fake: cannot connect"));
        auto c = std::make_unique<FakeConnection>();
        c->serial = ++d.opened;
        return c;
      },
      [&d](FakeConnection& c) {
        ++d.recycled;
        return c.on_return;
      },
      std::move(first));
}

TEST(BoundedPool, OpensConnectionsOnDemandUpToTheBound) {
  FakeDriver d;
  auto pool = pool_over(d, 3);
  EXPECT_EQ(d.opened, 0) << "nothing is opened before it is needed";
  std::vector<Pool::Lease> held;
  for (int i = 1; i <= 3; ++i) {
    auto lease = pool->acquire();
    ASSERT_TRUE(lease.has_value()) << lease.error().detail;
    EXPECT_EQ((*lease)->serial, i);
    held.push_back(std::move(*lease));
  }
  EXPECT_EQ(d.opened, 3);
  auto fourth = pool->acquire();
  ASSERT_FALSE(fourth.has_value());
  EXPECT_EQ(d.opened, 3) << "the bound holds";
}

TEST(BoundedPool, WhenEveryConnectionIsBusyTheCallerGetsUnavailable) {
  FakeDriver d;
  auto pool = pool_over(d, 1, /*wait_ms=*/20);
  auto held = pool->acquire();
  ASSERT_TRUE(held.has_value());
  auto refused = pool->acquire();
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, Errc::unavailable);
  EXPECT_EQ(refused.error().detail, "fake: all pooled connections busy");
}

TEST(BoundedPool, AReturnedConnectionIsReused) {
  FakeDriver d;
  auto pool = pool_over(d, 2);
  for (int i = 0; i < 5; ++i) {
    auto lease = pool->acquire();
    ASSERT_TRUE(lease.has_value());
    EXPECT_EQ((*lease)->serial, 1);
  }
  EXPECT_EQ(d.opened, 1);
  EXPECT_EQ(d.recycled, 5) << "every return goes through the recycler";
}

TEST(BoundedPool, TheFirstConnectionIsServedBeforeAnyIsOpened) {
  FakeDriver d;
  auto first = std::make_unique<FakeConnection>();
  first->serial = 100;
  auto pool = pool_over(d, 1, 0, std::move(first));
  auto lease = pool->acquire();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ((*lease)->serial, 100);
  EXPECT_FALSE(pool->acquire().has_value()) << "the first connection counts against the bound";
  EXPECT_EQ(d.opened, 0);
}

TEST(BoundedPool, AWaiterGetsTheConnectionThatComesBack) {
  FakeDriver d;
  auto pool = pool_over(d, 1, /*wait_ms=*/60'000);
  std::optional<Pool::Lease> held(pool->acquire().value());
  std::optional<int> served;
  std::thread waiter([&] {
    auto lease = pool->acquire();
    if (lease) served = (*lease)->serial;
  });
  held.reset();
  waiter.join();
  EXPECT_EQ(served, 1);
  EXPECT_EQ(d.opened, 1);
}

TEST(BoundedPool, AConnectionNotFitForReuseIsClosedAndItsSlotFreed) {
  FakeDriver d;
  auto pool = pool_over(d, 1);
  {
    auto lease = pool->acquire();
    ASSERT_TRUE(lease.has_value());
    (*lease)->on_return = Returned::close;
  }
  auto next = pool->acquire();
  ASSERT_TRUE(next.has_value()) << "the slot was freed";
  EXPECT_EQ((*next)->serial, 2) << "a fresh connection, not the closed one";
}

TEST(BoundedPool, ABrokenConnectionTakesTheIdleOnesWithIt) {
  FakeDriver d;
  auto pool = pool_over(d, 3);
  std::optional<Pool::Lease> a(pool->acquire().value()), b(pool->acquire().value()),
      c(pool->acquire().value());
  a.reset();
  b.reset();  // two idle connections now
  (*c)->on_return = Returned::close_idle;
  c.reset();
  // None of the three comes back: every connection served next is a fresh one.
  std::vector<Pool::Lease> held;
  for (int serial = 4; serial <= 6; ++serial) {
    auto lease = pool->acquire();
    ASSERT_TRUE(lease.has_value()) << "every slot was freed";
    EXPECT_EQ((*lease)->serial, serial);
    held.push_back(std::move(*lease));
  }
}

TEST(BoundedPool, AFailedOpenFreesItsSlotAndReportsTheOpenersError) {
  FakeDriver d;
  d.refuse_open = true;
  auto pool = pool_over(d, 1);
  auto refused = pool->acquire();
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().detail, "fake: cannot connect");
  d.refuse_open = false;
  auto lease = pool->acquire();
  ASSERT_TRUE(lease.has_value()) << "the failed attempt did not keep the only slot";
  EXPECT_EQ((*lease)->serial, 1);
}

}  // namespace
}  // namespace latchkey::store
