#pragma once
// The PostgreSQL database object the feature stores share. Internal to this folder; app code
// uses open_pg_store() and the store::Store interface.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_store.hpp"

namespace latchkey::store::postgres {

class PgDatabase final : public Database {
 public:
  // `first` (already open, statement timeout set) becomes the first pooled connection.
  PgDatabase(const PgOptions& options, std::unique_ptr<PgConnection> first);

  Result<void> ping() override;
  const char* backend_name() const override { return "postgres"; }

  // A pooled connection, as the login role.
  Result<ConnectionPool::Lease> connection() { return pool_.acquire(); }
  // Runs `statement` inside a request transaction for `owner` (see pg_items.cpp): one round
  // trip for the claims, the statement and the commit. Returns its result.
  Result<PgResult> run_as(std::optional<UserId> owner, const Statement& statement, Params params);

 private:
  ConnectionPool pool_;
};

// Explicit transaction control, for the stores whose transactions span round trips.
extern const Statement kBegin;
extern const Statement kCommit;
extern const Statement kRollback;

// The feature stores over `db` (pg_users.cpp, pg_sessions.cpp, pg_items.cpp, pg_attempts.cpp).
std::unique_ptr<UserStore> make_users(PgDatabase& db);
std::unique_ptr<SessionStore> make_sessions(PgDatabase& db);
std::unique_ptr<ItemStore> make_items(PgDatabase& db);
std::unique_ptr<SigningKeyStore> make_signing_keys(PgDatabase& db);
std::unique_ptr<FactorStore> make_factors(PgDatabase& db);
std::unique_ptr<AttemptStore> make_attempts(PgDatabase& db);
// pg_item_rows.cpp; `random` draws the ids of rows inserted without one.
std::unique_ptr<ItemRowStore> make_rows(PgDatabase& db, core::RandomSource& random);
// pg_mail.cpp; `random` draws token and mail ids.
std::unique_ptr<MailStore> make_mail(PgDatabase& db, core::RandomSource& random);

// The backend of a store opened by open_pg_store; nullptr for any other store.
PgDatabase* database_of(Store& store);

// SQL for a timestamptz from epoch microseconds in parameter `param` (e.g. "$5"), and the
// inverse for a column. Both exact to the microsecond: the integer scales an interval of
// 1us, and extract(epoch ...) is numeric (not float) since PostgreSQL 14.
std::string ts_param(std::string_view param);
std::string micros_col(std::string_view column);

std::optional<core::Uuid> uuid_col(const PGresult* r, int row, int col);
Error corrupt_row(std::string_view what);

}  // namespace latchkey::store::postgres
