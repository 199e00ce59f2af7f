#pragma once
// The PostgreSQL Store. Internal to this folder; app code uses open_pg_store() and the
// store::Store interface.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/pg_attempts.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_store.hpp"

namespace latchkey::store::postgres {

class PgStore final : public Store {
 public:
  PgStore(const PgOptions& options, std::unique_ptr<PgConnection> first);

  Result<UserRecord> create_user(const NewUser& user, core::Micros now) override;
  Result<UserRecord> find_user_by_email(std::string_view email) override;
  Result<UserRecord> find_user(UserId id) override;
  Result<void> set_password_hash(UserId id, std::string_view phc_hash) override;

  Result<SessionRecord> open_session(const SessionRecord& session,
                                     std::string_view refresh_hash) override;
  Result<void> check_session(UserId owner, SessionId id, core::Micros now) override;
  Result<void> revoke_session(UserId owner, SessionId id, core::Micros now) override;
  Result<SessionRecord> rotate_refresh_token(std::string_view old_hash, std::string_view new_hash,
                                             core::Micros now) override;

  Result<ItemRecord> create_item(UserId owner, const NewItem& item, core::Micros now) override;
  Result<std::vector<ItemRecord>> list_items(UserId owner, int limit, int offset) override;
  Result<ItemRecord> get_item(UserId owner, ItemId id) override;
  Result<ItemRecord> update_item(UserId owner, ItemId id, const ItemPatch& patch,
                                 core::Micros now) override;
  Result<void> delete_item(UserId owner, ItemId id) override;

  Result<void> ping() override;
  const char* backend_name() const override { return "postgres"; }
  // In the database, so that every node serving it enforces one limit.
  AttemptStore& attempts() override { return attempts_; }

  // Runs `statement` inside a request transaction for `owner` (see request_claims_step):
  // one round trip for the claims, the statement and the commit. Returns its result.
  Result<PgResult> run_as(std::optional<UserId> owner, const Statement& statement, Params params);

  ConnectionPool& pool() { return pool_; }

 private:
  ConnectionPool pool_;
  PgAttemptStore attempts_{pool_};
};

// SQL for a timestamptz from epoch microseconds in parameter `param` (e.g. "$5"), and the
// inverse for a column. Both exact to the microsecond: the integer scales an interval of
// 1us, and extract(epoch ...) is numeric (not float) since PostgreSQL 14.
std::string ts_param(std::string_view param);
std::string micros_col(std::string_view column);

std::optional<core::Uuid> uuid_col(const PGresult* r, int row, int col);
Error corrupt_row(std::string_view what);

}  // namespace latchkey::store::postgres
