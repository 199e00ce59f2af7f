#pragma once
// The SQLite database object the feature stores share. Internal to this folder; app code uses
// open_sqlite_store() and the store::Store interface.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "store/sqlite/connection.hpp"
#include "store/sqlite/group_commit.hpp"
#include "store/store.hpp"

namespace latchkey::store::sqlite {

// What a write job hands back: the caller's result, and whether the job's writes stay.
// Normally they stay exactly when the result is ok (see as_written); rotate_refresh_token's
// replay case keeps its revocation and still fails.
template <class T>
struct Written {
  Result<T> result;
  bool keep;
};

template <class T>
Written<T> as_written(Written<T> w) {
  return w;
}
template <class T>
Written<T> as_written(Result<T> r) {
  const bool ok = r.has_value();
  return Written<T>{std::move(r), ok};
}

// Reads use the pooled connections; every write goes through the group-commit writer.
class SqliteDatabase final : public Database {
 public:
  // `first` (migrated, owner views installed) becomes the first pooled reader; `writer` the
  // group-commit writer's own connection.
  SqliteDatabase(const SqliteOptions& options, std::unique_ptr<Connection> first,
                 std::unique_ptr<Connection> writer);

  Result<void> ping() override;
  const char* backend_name() const override { return "sqlite"; }

  // A pooled connection for reads.
  Result<ConnectionPool::Lease> read() { return pool_.acquire(); }
  // Runs `f(Connection&)` as one job of the next group commit and returns its result once
  // the batch holding it is durable (or the batch's error). `f` returns Result<T> (writes
  // kept iff ok) or Written<T>.
  template <class F>
  auto write(F&& f) -> decltype(as_written(f(std::declval<Connection&>())).result);

  WriteStats write_stats() const { return writer_.stats(); }

 private:
  ConnectionPool pool_;
  GroupCommitWriter writer_;
};

template <class F>
auto SqliteDatabase::write(F&& f) -> decltype(as_written(f(std::declval<Connection&>())).result) {
  using R = decltype(as_written(f(std::declval<Connection&>())).result);
  std::optional<R> out;
  auto committed = writer_.run([&](Connection& c) {
    auto w = as_written(f(c));
    out.emplace(std::move(w.result));
    return w.keep;
  });
  if (!committed) return fail(std::move(committed).error());
  return std::move(*out);
}

// The feature stores over `db` (sqlite_users.cpp, sqlite_sessions.cpp, sqlite_items.cpp).
std::unique_ptr<UserStore> make_users(SqliteDatabase& db);
std::unique_ptr<SessionStore> make_sessions(SqliteDatabase& db);
std::unique_ptr<ItemStore> make_items(SqliteDatabase& db);
std::unique_ptr<SigningKeyStore> make_signing_keys(SqliteDatabase& db);
std::unique_ptr<FactorStore> make_factors(SqliteDatabase& db);
// sqlite_item_rows.cpp; `random` draws the ids of rows inserted without one.
std::unique_ptr<ItemRowStore> make_rows(SqliteDatabase& db, core::RandomSource& random);
// sqlite_mail.cpp; `random` draws token and mail ids.
std::unique_ptr<MailStore> make_mail(SqliteDatabase& db, core::RandomSource& random);

// The backend of a store opened by open_sqlite_store; nullptr for any other store.
SqliteDatabase* database_of(Store& store);

// Shared by the feature stores.
std::optional<core::Uuid> parse_uuid_column(const Query& q, int col);
Error corrupt_row(std::string_view what);

}  // namespace latchkey::store::sqlite
