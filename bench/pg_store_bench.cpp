// PostgreSQL store: per-call cost of the item (request transaction under RLS, one pipelined
// round trip), session and attempt-counter paths. Needs a server: set
//   LATCHKEY_BENCH_PG_URL        app role URL, e.g.
//   postgresql://latchkey_app@/latchkey?host=/run/postgresql LATCHKEY_BENCH_PG_OWNER_URL  optional
//   owner role URL for migrations
// (see src/store/postgres/pg_migrations.cpp for the role setup). Without it the benchmarks
// report an error and measure nothing.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "store/postgres/pg_store.hpp"

namespace {

using namespace latchkey;

class PgBenchDb {
 public:
  PgBenchDb() {
    const char* url = std::getenv("LATCHKEY_BENCH_PG_URL");
    if (!url || !*url) throw std::runtime_error("set LATCHKEY_BENCH_PG_URL to run this benchmark");
    store::postgres::PgOptions o;
    o.url = url;
    if (const char* owner = std::getenv("LATCHKEY_BENCH_PG_OWNER_URL")) o.owner_url = owner;
    auto s = store::postgres::open_pg_store(o);
    if (!s) throw std::runtime_error(s.error().detail);
    store_ = std::move(s).value();

    // A fresh user per run: the database may hold earlier runs' rows.
    user_ = UserId{core::Uuid::random_v4()};
    check(store_->users().create_user({user_, user_.str() + "@bench.example", "{}", "h"},
                                      now()));
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
        {session_, user_, now(), now() + 3'600'000'000, std::nullopt},
        "bench-refresh-" + user_.str()));
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
  std::unique_ptr<store::Store> store_;
  UserId user_;
  SessionId session_;
  std::vector<ItemId> items_;
};

// The shared database, or nullptr (and the benchmark marked failed) if there is none.
PgBenchDb* db(benchmark::State& state) {
  static std::unique_ptr<PgBenchDb> d;
  static std::string failure;
  if (!d && failure.empty()) {
    try {
      d = std::make_unique<PgBenchDb>();
    } catch (const std::exception& e) {
      failure = e.what();
    }
  }
  if (!d) state.SkipWithError(failure.c_str());
  return d.get();
}

void BM_PgPing(benchmark::State& state) {
  auto* d = db(state);
  if (!d) return;
  for (auto _ : state) PgBenchDb::check(d->store().ping());
}
BENCHMARK(BM_PgPing)->UseRealTime();

void BM_PgGetItem(benchmark::State& state) {
  auto* d = db(state);
  if (!d) return;
  size_t i = 0;
  for (auto _ : state) {
    auto r = d->store().items().get_item(d->user(), d->items()[i++ % d->items().size()]);
    PgBenchDb::check(r);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_PgGetItem)->UseRealTime();

void BM_PgListItems20Of200(benchmark::State& state) {
  auto* d = db(state);
  if (!d) return;
  for (auto _ : state) {
    auto r = d->store().items().list_items(d->user(), 20, 0);
    PgBenchDb::check(r);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_PgListItems20Of200)->UseRealTime();

void BM_PgCheckSession(benchmark::State& state) {
  auto* d = db(state);
  if (!d) return;
  for (auto _ : state)
    PgBenchDb::check(d->store().sessions().check_session(d->user(), d->session(), d->now()));
}
BENCHMARK(BM_PgCheckSession)->UseRealTime();

void BM_PgCreateItem(benchmark::State& state) {
  auto* d = db(state);
  if (!d) return;
  for (auto _ : state) {
    PgBenchDb::check(d->store().items().create_item(
        d->user(), {ItemId{core::Uuid::random_v4()}, "new", "content", std::nullopt}, d->now()));
  }
}
BENCHMARK(BM_PgCreateItem)->UseRealTime();

void BM_PgUpdateItem(benchmark::State& state) {
  auto* d = db(state);
  if (!d) return;
  store::ItemPatch patch;
  patch.title = "updated";
  size_t i = 0;
  for (auto _ : state)
    PgBenchDb::check(d->store().items().update_item(d->user(), d->items()[i++ % d->items().size()],
                                                    patch, d->now()));
}
BENCHMARK(BM_PgUpdateItem)->UseRealTime();

void BM_PgTakeToken(benchmark::State& state) {
  auto* d = db(state);
  if (!d) return;
  const core::BucketRule rule{1e9, 1e9};
  for (auto _ : state)
    PgBenchDb::check(d->store().attempts().take_token("ip:bench", rule, d->now()));
}
BENCHMARK(BM_PgTakeToken)->UseRealTime();

}  // namespace
