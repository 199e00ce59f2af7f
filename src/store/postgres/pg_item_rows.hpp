#pragma once
// Internal to PostgreSQL's ItemRowStore (pg_item_rows.cpp: the class, its transactions and
// errors; pg_row_sql.cpp: the statements; pg_row_keys.cpp: keys PostgreSQL does not report).
//
// How each scope is confined on PostgreSQL: every call is one transaction that first
// switches to the scope's role (anon, authenticated, service_role) with its JWT claims,
// transaction-local, and then runs the statement under public.user_data's forced row-level
// security: authenticated sees and writes its own rows (the four per-user policies), anon
// none (no policy is true without a sub), service_role all (its own policy, migration 4).
// The authenticated statements also filter on user_id = <owner>, for the index; the
// policies do not depend on it.
#include <optional>
#include <string>
#include <vector>

#include "store/item_sql.hpp"
#include "store/postgres/pg_database.hpp"

namespace latchkey::store::postgres {

// PostgreSQL's side of the shared compiler: typed $N parameters, COLLATE "C" for text.
class PgDialect final : public SqlDialect {
 public:
  std::string param(int index, ColumnType type) const override;
  std::string int_param(int index) const override;
  std::string no_limit() const override { return "ALL"; }
  std::string compared(ItemColumn c) const override;
  std::string like(const std::string& text, const std::string& pattern,
                   bool icase) const override;
  std::string is_distinct(const std::string& a, const std::string& b) const override;
};

// One statement, not prepared (its text varies with the query), with its parameters.
struct RowStatement {
  Statement statement;  // empty name: parsed on each use, never cached per connection
  Params params;
};

// Every statement returns the columns of read_row(), in that order.
Result<RowStatement> select_statement(const DataScope& scope, const ItemQuery& query);
Result<RowStatement> count_statement(const DataScope& scope, const FilterGroup& where);
// `ids` are the new ids of rows inserted without one (one per row).
Result<RowStatement> insert_statement(const DataScope& scope, const std::vector<ItemValues>& rows,
                                      const std::vector<core::Uuid>& ids,
                                      const std::optional<Upsert>& upsert, core::Micros now);
Result<RowStatement> update_statement(const DataScope& scope, const FilterGroup& where,
                                      const ItemValues& values, core::Micros now);
Result<RowStatement> delete_statement(const DataScope& scope, const FilterGroup& where);

Result<std::vector<ItemRecord>> read_rows(const PGresult* r);

// How one call ends its transaction.
enum class Ending {
  implicit,  // the pipeline's own transaction, committed at its end
  snapshot,  // explicit REPEATABLE READ READ ONLY, committed at its end
  guarded,   // explicit; committed only if WriteOptions::keeps the last statement's rows
  dry_run,   // explicit; always rolled back
};

// The scope's role and claims, then `statements`, in one transaction ended as `ending` (and,
// for Ending::guarded, `options`) says. Returns the statements' results, or the error as
// ItemRowStore promises it.
Result<std::vector<PgResult>> run_rows(PgDatabase& db, const DataScope& scope,
                                       const std::vector<RowStatement>& statements,
                                       Ending ending, WriteOptions options = {});

// The error with the key it must name filled in, where PostgreSQL left it out
// (pg_row_keys.cpp): after an insert of `rows` (with `ids` for those without one), or an
// update setting `values`.
Error with_insert_key(PgDatabase& db, Error e, const DataScope& scope,
                      const std::vector<ItemValues>& rows, const std::vector<core::Uuid>& ids,
                      core::Micros now);
Error with_update_key(Error e, const ItemValues& values);

}  // namespace latchkey::store::postgres
