// AttemptStore on PostgreSQL.
#include <array>
#include <atomic>
#include <charconv>

#include "core/rate_limit.hpp"
#include "store/postgres/pg_database.hpp"

namespace latchkey::store::postgres {
namespace {

const Statement kBegin{"lk_begin", "BEGIN"};
const Statement kCommit{"lk_commit", "COMMIT"};

// The row is created first (if missing) so that FOR UPDATE always has a row to lock: two
// first attempts on a new key then serialize like any others.
const Statement kSeedBucket{"lk_seed_bucket",
                            "INSERT INTO auth.rate_buckets (key, tokens, updated_us)"
                            " VALUES ($1, $2::float8, $3::int8) ON CONFLICT (key) DO NOTHING"};
const Statement kLockBucket{
    "lk_lock_bucket", "SELECT tokens, updated_us FROM auth.rate_buckets WHERE key = $1 FOR UPDATE"};
const Statement kSaveBucket{
    "lk_save_bucket",
    "UPDATE auth.rate_buckets SET tokens = $2::float8, updated_us = $3::int8 WHERE key = $1"};

const Statement kSeedFailures{"lk_seed_failures",
                              "INSERT INTO auth.login_failures"
                              " (key, failures, blocked_until_us, last_failure_us)"
                              " VALUES ($1, 0, 0, 0) ON CONFLICT (key) DO NOTHING"};
const Statement kLockFailures{"lk_lock_failures",
                              "SELECT failures, blocked_until_us, last_failure_us"
                              " FROM auth.login_failures WHERE key = $1 FOR UPDATE"};
const Statement kSaveFailures{"lk_save_failures",
                              "UPDATE auth.login_failures SET failures = $2::int4,"
                              " blocked_until_us = $3::int8, last_failure_us = $4::int8"
                              " WHERE key = $1"};
const Statement kClearFailures{"lk_clear_failures",
                               "DELETE FROM auth.login_failures WHERE key = $1"};
const Statement kSweep{"lk_sweep_attempts",
                       "WITH b AS (DELETE FROM auth.rate_buckets WHERE updated_us < $1::int8)"
                       " DELETE FROM auth.login_failures WHERE last_failure_us < $1::int8"};

constexpr core::Micros kDay = 86'400'000'000;
constexpr uint32_t kSweepEvery = 1000;

// Shortest text that reads back as the same double (std::to_string keeps 6 decimals).
std::string exact(double v) {
  std::array<char, 32> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), end);
}

double to_double(const PGresult* r, int row, int col) {
  const char* v = PQgetvalue(r, row, col);
  double out = 0;
  std::from_chars(v, v + PQgetlength(r, row, col), out);
  return out;
}

core::BackoffState read_failures(const PGresult* r) {
  return core::BackoffState{static_cast<int>(int64(r, 0, 0)), int64(r, 0, 1), int64(r, 0, 2)};
}

// Rate-limit and backoff counters in auth.rate_buckets and auth.login_failures, so that every
// node serving this database enforces one limit. Each update locks the key's row for the
// read-compute-write (two round trips), so concurrent attempts on one key are all counted.
// The arithmetic is core/rate_limit's, shared with the in-memory store.
class PgAttempts final : public AttemptStore {
 public:
  explicit PgAttempts(PgDatabase& db) : db_(db) {}

  Result<std::optional<int>> take_token(std::string_view key, const core::BucketRule& rule,
                                        core::Micros now) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    PgConnection& c = **lease;
    const core::BucketState fresh = core::fresh_bucket(rule, now);
    const std::array<Step, 3> lock{
        Step{&kBegin, {}},
        Step{&kSeedBucket, Params{std::string(key), exact(fresh.tokens), std::to_string(now)}},
        Step{&kLockBucket, Params{std::string(key)}}};
    // An early return leaves the transaction open: the pool then closes the connection,
    // which rolls it back.
    auto locked = c.pipeline(lock);
    if (!locked) return fail(std::move(locked).error());
    const PGresult* row = (*locked)[2].get();
    if (PQntuples(row) != 1) return fail(corrupt_row("rate_buckets"));
    core::BucketState state{to_double(row, 0, 0), int64(row, 0, 1)};
    const std::optional<int> wait = core::take_token(state, rule, now);
    const std::array<Step, 2> save{Step{&kSaveBucket, Params{std::string(key), exact(state.tokens),
                                                             std::to_string(state.updated)}},
                                   Step{&kCommit, {}}};
    if (auto r = c.pipeline(save); !r) return fail(std::move(r).error());
    maybe_sweep(c, now);
    return wait;
  }

  Result<std::optional<int>> reserve_attempt(std::string_view key, const core::BackoffRule& rule,
                                             core::Micros now) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    PgConnection& c = **lease;
    // The row lock serializes concurrent attempts on one key across every node: each sees the
    // failures reserved before it.
    const std::array<Step, 3> lock{Step{&kBegin, {}},
                                   Step{&kSeedFailures, Params{std::string(key)}},
                                   Step{&kLockFailures, Params{std::string(key)}}};
    auto locked = c.pipeline(lock);
    if (!locked) return fail(std::move(locked).error());
    if (PQntuples((*locked)[2].get()) != 1) return fail(corrupt_row("login_failures"));
    core::BackoffState state = read_failures((*locked)[2].get());
    const std::optional<int> wait = core::reserve_attempt(state, rule, now);
    const std::array<Step, 2> save{
        Step{&kSaveFailures,
             Params{std::string(key), std::to_string(state.failures),
                    std::to_string(state.blocked_until), std::to_string(state.last_failure)}},
        Step{&kCommit, {}}};
    if (auto r = c.pipeline(save); !r) return fail(std::move(r).error());
    maybe_sweep(c, now);
    return wait;
  }

  Result<void> clear_failures(std::string_view key) override {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    if (auto r = (*lease)->run(kClearFailures, Params{std::string(key)}); !r)
      return fail(std::move(r).error());
    return {};
  }

 private:
  // Every so often, rows idle for a day are deleted: they carry no information any more
  // (a bucket refills and old failures are forgotten long before that).
  void maybe_sweep(PgConnection& c, core::Micros now) {
    if (++calls_ % kSweepEvery != 0) return;
    // Best effort: a failed sweep only leaves rows for the next one.
    (void)c.run(kSweep, Params{std::to_string(now - kDay)});
  }

  PgDatabase& db_;
  std::atomic<uint32_t> calls_{0};
};

}  // namespace

std::unique_ptr<AttemptStore> make_attempts(PgDatabase& db) {
  return std::make_unique<PgAttempts>(db);
}

}  // namespace latchkey::store::postgres
