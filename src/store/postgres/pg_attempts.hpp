#pragma once
#include <atomic>

#include "store/attempt_store.hpp"
#include "store/postgres/pg_connection.hpp"

namespace latchkey::store::postgres {

// Rate-limit and backoff counters in auth.rate_buckets and auth.login_failures, so that every
// node serving this database enforces one limit. Each update locks the key's row for the
// read-compute-write (two round trips), so concurrent attempts on one key are all counted.
// The arithmetic is core/rate_limit's, shared with the in-memory store.
class PgAttemptStore final : public AttemptStore {
 public:
  explicit PgAttemptStore(ConnectionPool& pool) : pool_(pool) {}

  Result<std::optional<int>> take_token(std::string_view key, const core::BucketRule& rule,
                                        core::Micros now) override;
  Result<std::optional<int>> reserve_attempt(std::string_view key, const core::BackoffRule& rule,
                                             core::Micros now) override;
  Result<void> clear_failures(std::string_view key) override;

 private:
  // Every so often, rows idle for a day are deleted: they carry no information any more
  // (a bucket refills and old failures are forgotten long before that).
  void maybe_sweep(PgConnection& c, core::Micros now);

  ConnectionPool& pool_;
  std::atomic<uint32_t> calls_{0};
};

}  // namespace latchkey::store::postgres
