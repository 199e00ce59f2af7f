#include "http/address_connections.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace latchkey::http {
namespace {

TEST(AddressConnectionsTest, EachAddressGetsItsOwnCap) {
  AddressConnections counter(2);
  auto a1 = counter.try_acquire("192.0.2.1");
  auto a2 = counter.try_acquire("192.0.2.1");
  auto a3 = counter.try_acquire("192.0.2.1");
  EXPECT_TRUE(a1);
  EXPECT_TRUE(a2);
  EXPECT_FALSE(a3) << "a third connection from one address";
  EXPECT_EQ(counter.count("192.0.2.1"), 2u);
  auto b1 = counter.try_acquire("192.0.2.2");
  EXPECT_TRUE(b1) << "another address shares nothing";
  EXPECT_EQ(counter.count("192.0.2.2"), 1u);
}

TEST(AddressConnectionsTest, ClosingGivesTheSlotBackAndForgetsIdleAddresses) {
  AddressConnections counter(1);
  {
    auto first = counter.try_acquire("198.51.100.7");
    ASSERT_TRUE(first);
    EXPECT_FALSE(counter.try_acquire("198.51.100.7"));
    EXPECT_EQ(counter.addresses(), 1u);
  }
  EXPECT_EQ(counter.count("198.51.100.7"), 0u);
  EXPECT_EQ(counter.addresses(), 0u) << "an address with no connection is still tracked";
  auto again = counter.try_acquire("198.51.100.7");
  EXPECT_TRUE(again);
  again.release();
  again.release();  // twice is harmless
  EXPECT_EQ(counter.count("198.51.100.7"), 0u);
}

TEST(AddressConnectionsTest, RefusedAcquireHoldsNothing) {
  AddressConnections counter(1);
  auto held = counter.try_acquire("203.0.113.9");
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(counter.try_acquire("203.0.113.9"));
  EXPECT_EQ(counter.count("203.0.113.9"), 1u);
  held.release();
  EXPECT_TRUE(counter.try_acquire("203.0.113.9"));
}

TEST(AddressConnectionsTest, MovedSlotsReleaseOnce) {
  AddressConnections counter(2);
  auto a = counter.try_acquire("192.0.2.1");
  AddressConnections::Slot b = std::move(a);
  EXPECT_FALSE(a);
  EXPECT_TRUE(b);
  EXPECT_EQ(counter.count("192.0.2.1"), 1u);
  AddressConnections::Slot c = counter.try_acquire("192.0.2.1");
  c = std::move(b);  // c's own slot is given back, b's is now c's
  EXPECT_EQ(counter.count("192.0.2.1"), 1u);
  c.release();
  EXPECT_EQ(counter.count("192.0.2.1"), 0u);
}

struct BucketCase {
  const char* first;
  const char* second;
  bool same;
};

// IPv6 clients are counted per /64, as the rate limits count them; IPv4-mapped addresses are
// their IPv4 address.
TEST(AddressConnectionsTest, AddressesAreCountedLikeTheRateLimitsCountThem) {
  const BucketCase cases[] = {
      {"2001:db8:1:2::1", "2001:db8:1:2:ffff::9", true},
      {"2001:db8:1:2::1", "2001:db8:1:3::1", false},
      {"::ffff:192.0.2.1", "192.0.2.1", true},
      {"192.0.2.1", "192.0.2.2", false},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(std::string(tc.first) + " vs " + tc.second);
    AddressConnections counter(1);
    auto first = counter.try_acquire(tc.first);
    ASSERT_TRUE(first);
    EXPECT_EQ(!counter.try_acquire(tc.second), tc.same);
  }
}

TEST(AddressConnectionsTest, ConcurrentAcquireNeverExceedsTheCap) {
  constexpr size_t kCap = 8;
  AddressConnections counter(kCap);
  std::vector<std::vector<AddressConnections::Slot>> held(4);
  std::vector<std::thread> threads;
  for (auto& mine : held) {
    threads.emplace_back([&counter, &mine] {
      for (int i = 0; i < 1000; ++i) {
        if (auto s = counter.try_acquire("192.0.2.50")) mine.push_back(std::move(s));
        if (mine.size() > 1 && i % 3 == 0) mine.erase(mine.begin());
      }
    });
  }
  for (auto& t : threads) t.join();
  size_t total = 0;
  for (const auto& mine : held) total += mine.size();
  EXPECT_LE(total, kCap);
  EXPECT_EQ(counter.count("192.0.2.50"), total);
  held.clear();
  EXPECT_EQ(counter.addresses(), 0u);
}

TEST(AddressConnectionsTest, TrustedProxiesAreNotCapped) {
  AddressConnections counter(1, {"::1", "10.0.0.1"});
  std::vector<AddressConnections::Slot> held;
  for (int i = 0; i < 5; ++i) {
    held.push_back(counter.try_acquire("10.0.0.1"));
    ASSERT_TRUE(held.back()) << i;
    held.push_back(counter.try_acquire("0:0::1"));  // canonical form compared
    ASSERT_TRUE(held.back()) << i;
  }
  EXPECT_EQ(counter.addresses(), 0u) << "uncapped peers are not counted";
  auto other = counter.try_acquire("10.0.0.2");
  EXPECT_TRUE(other);
  EXPECT_FALSE(counter.try_acquire("10.0.0.2")) << "everyone else keeps the cap";
  held.clear();
  EXPECT_EQ(counter.count("10.0.0.2"), 1u);
}

}  // namespace
}  // namespace latchkey::http
