// SQLite store: per-call cost of the item and session paths, on a temp file with the
// production settings (WAL, pool, owner views + authorizer). Writes are measured with
// synchronous=FULL (the default: fsync per commit) and NORMAL.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using namespace latchkey;

class BenchDb {
 public:
  explicit BenchDb(bool synchronous_full) {
    std::string dir = "/tmp/latchkey-bench-XXXXXX";
    if (!mkdtemp(dir.data())) throw std::runtime_error("mkdtemp");
    dir_ = dir;
    store::sqlite::SqliteOptions o;
    o.path = (dir_ / "bench.db").string();
    o.synchronous_full = synchronous_full;
    auto s = store::sqlite::open_sqlite_store(o);
    if (!s) throw std::runtime_error(s.error().detail);
    store_ = std::move(s).value();

    user_ = UserId{core::Uuid::random_v4()};
    check(store_->users().create_user({user_, "bench@example.com", "{}", "h"}, now()));
    for (int i = 0; i < 200; ++i) {
      const ItemId id{core::Uuid::random_v4()};
      check(store_->items().create_item(user_,
                                        {id, "title " + std::to_string(i), std::string(200, 'x'),
                                         "{\"n\":" + std::to_string(i) + "}"},
                                        now()));
      items_.push_back(id);
    }
    session_ = SessionId{core::Uuid::random_v4()};
    check(store_->sessions().open_session(
        {session_, user_, now(), now() + 3'600'000'000, std::nullopt}, "bench-refresh"));
  }
  ~BenchDb() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  store::Store& store() { return *store_; }
  UserId user() const { return user_; }
  SessionId session() const { return session_; }
  const std::vector<ItemId>& items() const { return items_; }
  static core::Micros now() { return core::SystemClock().now_us(); }

  template <class R>
  static void check(const R& r) {
    if (!r) throw std::runtime_error(r.error().detail);
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  UserId user_;
  SessionId session_;
  std::vector<ItemId> items_;
};

BenchDb& db(bool full = true) {
  static BenchDb durable(true), relaxed(false);
  return full ? durable : relaxed;
}

void BM_SqliteGetItem(benchmark::State& state) {
  auto& d = db();
  size_t i = 0;
  for (auto _ : state) {
    auto r = d.store().items().get_item(d.user(), d.items()[i++ % d.items().size()]);
    BenchDb::check(r);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SqliteGetItem);

void BM_SqliteListItems20Of200(benchmark::State& state) {
  auto& d = db();
  for (auto _ : state) {
    auto r = d.store().items().list_items(d.user(), 20, 0);
    BenchDb::check(r);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SqliteListItems20Of200);

void BM_SqliteCheckSession(benchmark::State& state) {
  auto& d = db();
  for (auto _ : state)
    BenchDb::check(d.store().sessions().check_session(d.user(), d.session(), d.now()));
}
BENCHMARK(BM_SqliteCheckSession);

// Arg: 1 = synchronous FULL (default), 0 = NORMAL.
void BM_SqliteCreateItem(benchmark::State& state) {
  auto& d = db(state.range(0) == 1);
  for (auto _ : state) {
    BenchDb::check(d.store().items().create_item(
        d.user(), {ItemId{core::Uuid::random_v4()}, "new", "content", std::nullopt}, d.now()));
  }
}
BENCHMARK(BM_SqliteCreateItem)->Arg(1)->Arg(0);

void BM_SqliteUpdateItem(benchmark::State& state) {
  auto& d = db(state.range(0) == 1);
  store::ItemPatch patch;
  patch.title = "updated";
  size_t i = 0;
  for (auto _ : state)
    BenchDb::check(
        d.store().items().update_item(d.user(), d.items()[i++ % d.items().size()], patch, d.now()));
}
BENCHMARK(BM_SqliteUpdateItem)->Arg(1)->Arg(0);

// Concurrent durable writers, as the server's database worker threads issue them: with one
// fsync per commit, throughput only grows with threads if their commits are shared.
// items_per_second is the total over all threads; writes_per_commit shows the batching.
void BM_SqliteCreateItemConcurrent(benchmark::State& state) {
  auto& d = db(state.range(0) == 1);
  std::optional<store::sqlite::WriteStats> before;
  if (state.thread_index() == 0) before = store::sqlite::write_stats(d.store());
  for (auto _ : state) {
    BenchDb::check(d.store().items().create_item(
        d.user(), {ItemId{core::Uuid::random_v4()}, "new", "content", std::nullopt}, d.now()));
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0 && before) {
    // Read while other threads may still be finishing: an approximation, for the report.
    const auto after = store::sqlite::write_stats(d.store());
    const double commits = static_cast<double>(after->commits - before->commits);
    const double writes = static_cast<double>(after->completed - before->completed);
    if (commits > 0) state.counters["writes_per_commit"] = writes / commits;
  }
}
BENCHMARK(BM_SqliteCreateItemConcurrent)
    ->Arg(1)
    ->Threads(1)
    ->Threads(4)
    ->Threads(16)
    ->Threads(64)
    ->UseRealTime();

}  // namespace
