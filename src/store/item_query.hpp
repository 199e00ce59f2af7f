#pragma once
// A query over the user_data table as data: which rows (a filter tree), in what order, which
// slice, and what to write. The PostgREST surface parses a query string into these values;
// each backend compiles them into its own SQL with bound parameters. No text from a client
// ever becomes SQL: columns and operators are enums, literals are typed and bound.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "store/records.hpp"

namespace latchkey::store {

// The columns of user_data (shared/reference/supabase-wire.md section 11), in table order.
enum class ItemColumn { id, title, content, metadata, user_id, created_at, updated_at };
inline constexpr ItemColumn kItemColumns[] = {
    ItemColumn::id,       ItemColumn::title,      ItemColumn::content,   ItemColumn::metadata,
    ItemColumn::user_id,  ItemColumn::created_at, ItemColumn::updated_at};

// "id", "title", ...
constexpr std::string_view column_name(ItemColumn c) {
  switch (c) {
    case ItemColumn::id: return "id";
    case ItemColumn::title: return "title";
    case ItemColumn::content: return "content";
    case ItemColumn::metadata: return "metadata";
    case ItemColumn::user_id: return "user_id";
    case ItemColumn::created_at: return "created_at";
    case ItemColumn::updated_at: return "updated_at";
  }
  return "";
}

constexpr std::optional<ItemColumn> item_column(std::string_view name) {
  for (ItemColumn c : kItemColumns)
    if (column_name(c) == name) return c;
  return std::nullopt;
}

// The SQL type of a column, which fixes what literal it is compared with.
enum class ColumnType { uuid, text, jsonb, timestamp };
constexpr ColumnType column_type(ItemColumn c) {
  switch (c) {
    case ItemColumn::id:
    case ItemColumn::user_id: return ColumnType::uuid;
    case ItemColumn::title:
    case ItemColumn::content: return ColumnType::text;
    case ItemColumn::metadata: return ColumnType::jsonb;
    case ItemColumn::created_at:
    case ItemColumn::updated_at: return ColumnType::timestamp;
  }
  return ColumnType::text;
}

// JSON text in canonical form (nlohmann::json::dump() of the parsed value: object keys
// sorted, no spaces), so equal JSON values have equal text on every backend.
struct JsonText {
  std::string text;
  friend bool operator==(const JsonText&, const JsonText&) = default;
};

// A literal already converted to its column's type (a malformed uuid or timestamp is refused
// before a query exists). text columns take std::string, uuid columns core::Uuid, timestamp
// columns core::Micros (UTC), jsonb columns JsonText.
using Literal = std::variant<std::string, core::Uuid, core::Micros, JsonText>;

enum class FilterOp {
  eq, neq, gt, gte, lt, lte,
  like, ilike,  // pattern in PostgreSQL's syntax: % and _, backslash escapes (client * is %)
  is,           // see IsValue
  in,           // `values` holds the list (possibly empty: matches nothing)
  is_distinct,  // IS DISTINCT FROM
};

// The right-hand side of `is`.
enum class IsValue { null, not_null, true_, false_, unknown };

struct Comparison {
  ItemColumn column = ItemColumn::id;
  FilterOp op = FilterOp::eq;
  bool negated = false;         // not.<op>
  std::vector<Literal> values;  // one for every op but `is` (none) and `in` (the list)
  IsValue is = IsValue::null;   // only for FilterOp::is
};

struct FilterNode;
// AND (all) or OR (any) of its children; an empty `all` is true, an empty `any` is false.
struct FilterGroup {
  bool any = false;
  bool negated = false;  // not.or=(...), not.and=(...)
  std::vector<FilterNode> children;
};
struct FilterNode {
  std::variant<Comparison, FilterGroup> node;
};

struct OrderTerm {
  ItemColumn column = ItemColumn::created_at;
  bool descending = false;
  // unset: PostgreSQL's default (NULLS LAST ascending, NULLS FIRST descending).
  std::optional<bool> nulls_first;
};

// Which rows a data API request may see and change: the role of its bearer token.
enum class DataRole {
  anon,           // no rows
  authenticated,  // rows whose user_id is `user` (row-level security)
  service_role,   // every row (bypasses row-level security)
};
struct DataScope {
  DataRole role = DataRole::anon;
  UserId user;  // for authenticated
};

struct ItemQuery {
  FilterGroup where;  // `all` at the top
  std::vector<OrderTerm> order;  // empty: no ORDER BY (backends then use id for stability)
  int64_t offset = 0;
  std::optional<int64_t> limit;
  bool count = false;  // also return the number of rows `where` matches, ignoring the range
};

// One row's values for an insert or an update. An absent column takes its DEFAULT on insert
// (id: a new uuid; user_id: the caller; created_at, updated_at: now) and is left unchanged
// on update; a present nullopt is SQL NULL.
using ItemValues = std::map<ItemColumn, std::optional<Literal>>;

// INSERT ... ON CONFLICT: the conflict target (a unique key; only `id` is one) and what to do.
struct Upsert {
  std::vector<ItemColumn> on_conflict = {ItemColumn::id};
  bool ignore_duplicates = false;  // true: DO NOTHING; false: update the supplied columns
};

// When a write is undone after the fact (RowsResult::rolled_back then says so).
struct WriteOptions {
  // Unless exactly one row is affected (PostgREST's .single() on a write).
  bool single = false;
  // If more rows than this are affected (Prefer: handling=strict, max-affected=N).
  std::optional<int64_t> max_affected;

  bool guarded() const { return single || max_affected.has_value(); }
  // Whether a write affecting `rows` rows is kept.
  bool keeps(size_t rows) const {
    if (single && rows != 1) return false;
    return !max_affected || static_cast<int64_t>(rows) <= *max_affected;
  }
};

struct RowsResult {
  // Full rows (the surface projects the selected columns): those selected, or those a write
  // inserted, updated or deleted, as they are after the write (before it, for deletes).
  std::vector<ItemRecord> rows;
  std::optional<int64_t> total;  // when ItemQuery::count
  bool rolled_back = false;      // !WriteOptions::keeps(rows.size()): nothing changed
};

}  // namespace latchkey::store
