#include "store/postgres/pg_database.hpp"

#include <array>

namespace latchkey::store::postgres {

const Statement kBegin{"lk_begin", "BEGIN"};
const Statement kCommit{"lk_commit", "COMMIT"};
const Statement kRollback{"lk_rollback", "ROLLBACK"};
namespace {

const Statement kPing{"lk_ping", "SELECT 1"};

// Security: set_config(..., true) is SET LOCAL: the role and the claims end with the
// transaction, so a pooled connection never carries one user's identity into the next
// call. set_config('role', ...) is SET ROLE with a parameter (as PostgREST does it); it
// works because the login role is a member of `authenticated`.
const Statement kRequestClaims{"lk_request_claims",
                               "SELECT set_config('role', 'authenticated', true),"
                               " set_config('request.jwt.claims', $1, true)"};

}  // namespace

PgDatabase::PgDatabase(const PgOptions& options, std::unique_ptr<PgConnection> first)
    : pool_(
          "postgres", {options.pool_size, options.acquire_timeout_ms},
          [url = options.url, connect_s = options.connect_timeout_s,
           statement_ms = options.statement_timeout_ms, observer = options.statement_observer] {
            return PgConnection::open(url, connect_s, statement_ms, observer);
          },
          [](PgConnection& c) {
            // Store methods always end their transaction; one left open (a bug, or a failure
            // between BEGIN and COMMIT) would carry its locks and its role into the next
            // caller's work, so such a connection is closed rather than reused.
            if (c.broken()) return Returned::close_idle;
            return c.in_transaction() ? Returned::close : Returned::reuse;
          },
          std::move(first)) {}

Result<void> PgDatabase::ping() {
  auto lease = connection();
  if (!lease) return fail(std::move(lease).error());
  auto r = (*lease)->run(kPing);
  if (!r) return fail(std::move(r).error());
  return {};
}

Result<PgResult> PgDatabase::run_as(std::optional<UserId> owner, const Statement& statement,
                                    Params params) {
  auto lease = connection();
  if (!lease) return fail(std::move(lease).error());
  // No owner: claims are empty, auth.uid() is NULL and every policy is false.
  std::string claims;
  if (owner) claims = "{\"sub\":\"" + owner->str() + "\",\"role\":\"authenticated\"}";
  const std::array<Step, 2> steps{Step{&kRequestClaims, Params{std::move(claims)}},
                                  Step{&statement, std::move(params)}};
  auto results = (*lease)->pipeline(steps);
  if (!results) return fail(std::move(results).error());
  return std::move((*results)[1]);
}

PgDatabase* database_of(Store& store) { return dynamic_cast<PgDatabase*>(&store.database()); }

std::string ts_param(std::string_view param) {
  return "('epoch'::timestamptz + " + std::string(param) + "::int8 * interval '1 microsecond')";
}

std::string micros_col(std::string_view column) {
  return "(extract(epoch FROM " + std::string(column) + ") * 1000000)::int8";
}

std::optional<core::Uuid> uuid_col(const PGresult* r, int row, int col) {
  return core::Uuid::parse(
      std::string_view(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col))));
}

Error corrupt_row(std::string_view what) {
  return Error::of(Errc::internal, "postgres: malformed value in " + std::string(what));
}

}  // namespace latchkey::store::postgres
