// The statements of PostgreSQL's ItemRowStore, compiled from the typed query values. The
// table is always aliased `t` and filters name t.<column>, so that ORDER BY metadata means the
// jsonb column, not the text the SELECT list casts it to.
#include <set>

#include "store/item_row_errors.hpp"
#include "store/postgres/pg_item_rows.hpp"

namespace latchkey::store::postgres {
namespace {

const std::string kReadColumns = "id, user_id, title, content, metadata::text AS metadata, " +
                                 micros_col("created_at") + " AS created_at, " +
                                 micros_col("updated_at") + " AS updated_at";

Params to_params(const std::vector<SqlParam>& params) {
  std::vector<std::optional<std::string>> out;
  out.reserve(params.size());
  for (const SqlParam& p : params) {
    if (const auto* s = std::get_if<std::string>(&p)) {
      out.emplace_back(*s);
    } else if (const auto* n = std::get_if<int64_t>(&p)) {
      out.emplace_back(std::to_string(*n));
    } else {
      out.emplace_back(std::nullopt);
    }
  }
  return Params(std::move(out));
}

RowStatement finish(std::string sql, SqlBuilder& b) {
  return RowStatement{Statement{"", std::move(sql)}, to_params(b.params())};
}

// "WHERE t.user_id = $1::uuid AND (<where>)" for authenticated; the policies confine the rows
// anyway, the condition lets the planner use the owner's index.
Result<std::string> where_clause(const DataScope& scope, const FilterGroup& where, SqlBuilder& b) {
  std::string sql = " WHERE ";
  if (scope.role == DataRole::authenticated) {
    auto owner = b.bind(ColumnType::uuid, scope.user.str());
    if (!owner) return owner;
    sql += "t.user_id = " + *owner + " AND ";
  }
  auto cond = b.where(where);
  if (!cond) return cond;
  return sql + "(" + *cond + ")";
}

// The insert's column list, in the table's order.
constexpr ItemColumn kItemTableOrder[] = {ItemColumn::id,       ItemColumn::user_id,
                                          ItemColumn::title,    ItemColumn::content,
                                          ItemColumn::metadata, ItemColumn::created_at,
                                          ItemColumn::updated_at};

// A supplied value, or what `absent()` says an absent column becomes.
template <class Absent>
Result<std::string> row_value(SqlBuilder& b, const ItemValues& row, ItemColumn c, Absent absent) {
  auto it = row.find(c);
  if (it == row.end()) return absent();
  return b.value(c, it->second);
}

}  // namespace

std::string PgDialect::param(int index, ColumnType type) const {
  const std::string p = "$" + std::to_string(index);
  switch (type) {
    case ColumnType::uuid: return p + "::uuid";
    case ColumnType::text: return p + "::text";  // assigned to varchar(255): too long fails
    case ColumnType::jsonb: return p + "::jsonb";
    case ColumnType::timestamp: return ts_param(p);
  }
  return p;
}

std::string PgDialect::int_param(int index) const { return "$" + std::to_string(index) + "::int8"; }

std::string PgDialect::compared(ItemColumn c) const {
  std::string col = "t." + std::string(column_name(c));
  // Code point order and ASCII-only ILIKE folding, as SQLite's BINARY and pg_like() do,
  // whatever collation the database was created with.
  if (column_type(c) == ColumnType::text) col += " COLLATE \"C\"";
  return col;
}

std::string PgDialect::like(const std::string& text, const std::string& pattern,
                            bool icase) const {
  return text + (icase ? " ILIKE " : " LIKE ") + pattern;
}

std::string PgDialect::is_distinct(const std::string& a, const std::string& b) const {
  return a + " IS DISTINCT FROM " + b;
}

Result<RowStatement> select_statement(const DataScope& scope, const ItemQuery& query) {
  PgDialect d;
  SqlBuilder b(d);
  auto where = where_clause(scope, query.where, b);
  if (!where) return fail(std::move(where).error());
  auto range = b.range(query.limit, query.offset);
  if (!range) return fail(std::move(range).error());
  return finish("SELECT " + kReadColumns + " FROM public.user_data AS t" + *where +
                    b.order_by(query.order) + *range,
                b);
}

Result<RowStatement> count_statement(const DataScope& scope, const FilterGroup& where) {
  PgDialect d;
  SqlBuilder b(d);
  auto cond = where_clause(scope, where, b);
  if (!cond) return fail(std::move(cond).error());
  return finish("SELECT count(*) FROM public.user_data AS t" + *cond, b);
}

Result<RowStatement> insert_statement(const DataScope& scope, const std::vector<ItemValues>& rows,
                                      const std::vector<core::Uuid>& ids,
                                      const std::optional<Upsert>& upsert, core::Micros now) {
  PgDialect d;
  SqlBuilder b(d);
  // `now` is bound once, and only if some column takes it: PostgreSQL refuses a parameter
  // no statement text uses (its type cannot be determined).
  std::optional<std::string> now_param;
  auto now_sql = [&]() -> Result<std::string> {
    if (!now_param) {
      auto p = b.bind(ColumnType::timestamp, int64_t{now});
      if (!p) return p;
      now_param = *p;
    }
    return *now_param;
  };
  // The caller is the default owner (the table's DEFAULT auth.uid() says the same); anon and
  // service_role have none, so their rows need a user_id (NOT NULL decides).
  std::optional<std::string> caller_param;
  auto caller = [&]() -> Result<std::string> {
    if (scope.role != DataRole::authenticated) return std::string("NULL");
    if (!caller_param) {
      auto p = b.bind(ColumnType::uuid, scope.user.str());
      if (!p) return p;
      caller_param = *p;
    }
    return *caller_param;
  };
  std::string sql =
      "INSERT INTO public.user_data AS t (id, user_id, title, content, metadata, created_at,"
      " updated_at) VALUES ";
  std::set<ItemColumn> supplied;
  for (size_t i = 0; i < rows.size(); ++i) {
    for (const auto& entry : rows[i]) supplied.insert(entry.first);
    sql += i == 0 ? "(" : ", (";
    for (ItemColumn c : kItemTableOrder) {
      auto v = row_value(b, rows[i], c, [&]() -> Result<std::string> {
        switch (c) {
          case ItemColumn::id: return b.bind(ColumnType::uuid, ids[i].str());
          case ItemColumn::user_id: return caller();
          case ItemColumn::created_at:
          case ItemColumn::updated_at: return now_sql();
          default: return std::string("NULL");  // title, content: NOT NULL decides
        }
      });
      if (!v) return fail(std::move(v).error());
      sql += (c == ItemColumn::id ? "" : ", ") + *v;
    }
    sql += ")";
  }
  if (upsert) {
    if (upsert->ignore_duplicates) {
      sql += " ON CONFLICT (id) DO NOTHING";
    } else {
      // The supplied columns, as PostgREST sets them; updated_at advances as on any update.
      sql += " ON CONFLICT (id) DO UPDATE SET ";
      for (ItemColumn c : supplied) {
        if (c == ItemColumn::updated_at) continue;
        const std::string name(column_name(c));
        sql += name + " = EXCLUDED." + name + ", ";
      }
      if (supplied.count(ItemColumn::updated_at)) {
        sql += "updated_at = EXCLUDED.updated_at";
      } else {
        auto n = now_sql();
        if (!n) return fail(std::move(n).error());
        sql += "updated_at = " + *n;
      }
    }
  }
  return finish(sql + " RETURNING " + kReadColumns, b);
}

Result<RowStatement> update_statement(const DataScope& scope, const FilterGroup& where,
                                      const ItemValues& values, core::Micros now) {
  PgDialect d;
  SqlBuilder b(d);
  std::string set;
  for (const auto& [column, value] : values) {
    if (column == ItemColumn::updated_at) continue;
    auto v = b.value(column, value);
    if (!v) return fail(std::move(v).error());
    set += std::string(column_name(column)) + " = " + *v + ", ";
  }
  // The trigger makes it GREATEST(this, old + 1us).
  auto stamp = row_value(b, values, ItemColumn::updated_at,
                         [&] { return b.bind(ColumnType::timestamp, int64_t{now}); });
  if (!stamp) return fail(std::move(stamp).error());
  auto cond = where_clause(scope, where, b);
  if (!cond) return fail(std::move(cond).error());
  return finish("WITH w AS (UPDATE public.user_data AS t SET " + set + "updated_at = " + *stamp +
                    *cond + " RETURNING " + kReadColumns + ") SELECT * FROM w ORDER BY id",
                b);
}

Result<RowStatement> delete_statement(const DataScope& scope, const FilterGroup& where) {
  PgDialect d;
  SqlBuilder b(d);
  auto cond = where_clause(scope, where, b);
  if (!cond) return fail(std::move(cond).error());
  return finish("WITH w AS (DELETE FROM public.user_data AS t" + *cond + " RETURNING " +
                    kReadColumns + ") SELECT * FROM w ORDER BY id",
                b);
}

}  // namespace latchkey::store::postgres
