#pragma once
// Internal to SQLite's ItemRowStore (sqlite_item_rows.cpp: the class and its reads;
// sqlite_row_inserts.cpp, sqlite_row_updates.cpp: the write jobs).
//
// How each scope is confined on SQLite:
//   authenticated  every statement runs inside an OwnerScope and names the TEMP view
//                  `user_data` (connection.hpp): the view shows only the owner's rows, its
//                  triggers write only the owner's rows, the authorizer refuses anything
//                  else. Statements also carry `user_id = <owner>` (index, and a second
//                  guard). Rows are checked in C++ first (sqlite_row_rules.hpp), so refusals
//                  come back exactly as PostgreSQL's row-level security words them.
//   service_role   the base table main.user_data_all, outside any owner scope: every row.
//   anon           no SQL at all: reads and updates/deletes find nothing (PostgreSQL: no
//                  policy for anon), inserts are refused by check_row.
#include <string>
#include <string_view>
#include <vector>

#include "store/item_sql.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace latchkey::store::sqlite {

inline constexpr std::string_view kRowColumns =
    "id, user_id, title, content, metadata, created_at, updated_at";

// SQLite's side of the shared compiler: ?N parameters, pg_like(), IS NOT.
class SqliteDialect final : public SqlDialect {
 public:
  std::string param(int index, ColumnType type) const override;
  std::string int_param(int index) const override;
  std::string no_limit() const override { return "-1"; }
  std::string compared(ItemColumn c) const override;
  std::string like(const std::string& text, const std::string& pattern,
                   bool icase) const override;
  std::string is_distinct(const std::string& a, const std::string& b) const override;
};

// Where a scope's statements read and write, and the owner condition they carry.
struct RowSource {
  std::string table;            // "user_data" (the owner view) or "main.user_data_all"
  std::string owner_condition;  // "user_id = ?1 AND " or ""
};

// The source for `scope` (not anon), binding the owner (if any) as the builder's first
// parameter.
Result<RowSource> row_source(const DataScope& scope, SqlBuilder& b);

void bind_all(Query& q, const std::vector<SqlParam>& params);
Result<ItemRecord> read_row(const Query& q);
// Steps `q` to the end, reading every row.
Result<std::vector<ItemRecord>> read_rows(Query& q);

// The rows of `source` that `where` matches, ordered by id (for updates and deletes).
Result<std::vector<ItemRecord>> matching_rows(Connection& c, const DataScope& scope,
                                              const FilterGroup& where);

// Whether `user` is in the users table (the foreign key of user_id). Only service_role can
// name a user_id other than its caller's, so only its writes ask.
Result<bool> user_exists(Connection& c, const UserId& user);

// The write jobs (run on the group-commit writer, each in its own savepoint).
Written<RowsResult> insert_job(Connection& c, const DataScope& scope,
                               const std::vector<ItemValues>& rows,
                               const std::vector<core::Uuid>& new_ids,
                               const std::optional<Upsert>& upsert, WriteOptions options,
                               core::Micros now);
Written<RowsResult> update_job(Connection& c, const DataScope& scope, const FilterGroup& where,
                               const ItemValues& values, WriteOptions options, core::Micros now);
Written<RowsResult> delete_job(Connection& c, const DataScope& scope, const FilterGroup& where,
                               WriteOptions options);

// Writes `r` over the row whose id is `old_id` (the id itself may change), through the scope's
// source. conflict if the new id is taken.
Result<void> update_row(Connection& c, const DataScope& scope, const core::Uuid& old_id,
                        const ItemRecord& r);

// The job's outcome for WriteOptions::single: kept only if exactly one row was written.
Written<RowsResult> finish_write(RowsResult rows, WriteOptions options);

}  // namespace latchkey::store::sqlite
