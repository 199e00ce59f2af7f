#include "store/sqlite/sqlite_database.hpp"

namespace latchkey::store::sqlite {

SqliteDatabase::SqliteDatabase(const SqliteOptions& options, std::unique_ptr<Connection> first,
                               std::unique_ptr<Connection> writer)
    : pool_(
          "sqlite", {options.max_connections, options.busy_timeout_ms},
          [options]() -> Result<std::unique_ptr<Connection>> {
            auto c = Connection::open(options);
            if (!c) return c;
            if (auto r = (*c)->install_owner_views(); !r) return fail(std::move(r).error());
            return c;
          },
          [](Connection& c) {
            // A store method always commits or rolls back; this guards against a bug leaving
            // a write transaction open, which would block every other writer forever.
            if (!sqlite3_get_autocommit(c.db())) (void)c.exec("ROLLBACK");
            return Returned::reuse;
          },
          std::move(first)),
      writer_(std::move(writer)) {}

Result<void> SqliteDatabase::ping() {
  auto lease = read();
  if (!lease) return fail(std::move(lease).error());
  auto q = (*lease)->query("SELECT 1");
  if (!q) return fail(std::move(q).error());
  return q->run();
}

SqliteDatabase* database_of(Store& store) {
  return dynamic_cast<SqliteDatabase*>(&store.database());
}

std::optional<core::Uuid> parse_uuid_column(const Query& q, int col) {
  return core::Uuid::parse(q.text(col));
}

Error corrupt_row(std::string_view what) {
  return Error::of(Errc::internal, "sqlite: malformed value in " + std::string(what));
}

}  // namespace latchkey::store::sqlite
