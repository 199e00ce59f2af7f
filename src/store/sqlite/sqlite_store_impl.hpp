#pragma once
// The SQLite Store. Internal to this folder (and scoped_sql.cpp); app code uses
// open_sqlite_store() and the store::Store interface.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/memory_attempt_store.hpp"
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
class SqliteStore final : public Store {
 public:
  SqliteStore(const SqliteOptions& options, std::unique_ptr<Connection> first,
              std::unique_ptr<Connection> writer);

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
  const char* backend_name() const override { return "sqlite"; }
  // One process owns a SQLite database (the data directory is locked), so its counters can
  // live in that process's memory: no disk write per login attempt.
  AttemptStore& attempts() override { return attempts_; }

  ConnectionPool& pool() { return pool_; }
  WriteStats write_stats() const { return writer_.stats(); }
  // See writer_pragma() in sqlite_store.hpp: runs as a write job whose writes (none) are
  // discarded, so it reads the writer's own connection.
  Result<std::string> writer_pragma(std::string_view name);

 private:
  // Runs `f(Connection&)` as one job of the next group commit and returns its result once
  // the batch holding it is durable (or the batch's error). `f` returns Result<T> (writes
  // kept iff ok) or Written<T>.
  template <class F>
  auto write(F&& f) -> decltype(as_written(f(std::declval<Connection&>())).result);

  ConnectionPool pool_;
  GroupCommitWriter writer_;
  MemoryAttemptStore attempts_;
};

template <class F>
auto SqliteStore::write(F&& f) -> decltype(as_written(f(std::declval<Connection&>())).result) {
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

// Shared by the per-area source files.
std::optional<core::Uuid> parse_uuid_column(const Query& q, int col);
Error corrupt_row(std::string_view what);

}  // namespace latchkey::store::sqlite
