#include "store/item_sql.hpp"

#include "store/item_row_errors.hpp"
#include "store/text_rules.hpp"

namespace latchkey::store {
namespace {

std::string_view type_name(ColumnType t) {
  switch (t) {
    case ColumnType::uuid: return "uuid";
    case ColumnType::text: return "text";
    case ColumnType::jsonb: return "jsonb";
    case ColumnType::timestamp: return "timestamp with time zone";
  }
  return "text";
}

bool has_type(const Literal& v, ColumnType t) {
  switch (t) {
    case ColumnType::uuid: return std::holds_alternative<core::Uuid>(v);
    case ColumnType::text: return std::holds_alternative<std::string>(v);
    case ColumnType::jsonb: return std::holds_alternative<JsonText>(v);
    case ColumnType::timestamp: return std::holds_alternative<core::Micros>(v);
  }
  return false;
}

const char* comparison_operator(FilterOp op) {
  switch (op) {
    case FilterOp::eq: return " = ";
    case FilterOp::neq: return " <> ";
    case FilterOp::gt: return " > ";
    case FilterOp::gte: return " >= ";
    case FilterOp::lt: return " < ";
    case FilterOp::lte: return " <= ";
    default: return nullptr;
  }
}

// PostgreSQL raises "LIKE pattern must not end with escape character" only when matching
// reaches that backslash, which depends on the rows. Refused up front on every backend
// instead, so the answer does not depend on the data or the backend.
bool ends_with_escape(std::string_view pattern) {
  bool escaped = false;
  for (char ch : pattern) escaped = !escaped && ch == '\\';
  return escaped;
}

Error wrong_value(ItemColumn c) {
  return row_errors::bad_query(ErrorCode::validation_failed,
                               "wrong value for column " + std::string(column_name(c)));
}

}  // namespace

Result<void> check_literal(ItemColumn c, const Literal& v) {
  if (!has_type(v, column_type(c))) return fail(wrong_value(c));
  if (const auto* s = std::get_if<std::string>(&v); s && s->find('\0') != std::string::npos)
    return fail(nul_in_text("user_data." + std::string(column_name(c))));
  if (const auto* j = std::get_if<JsonText>(&v)) {
    if (j->text.find('\0') != std::string::npos || json_has_nul_escape(j->text))
      return fail(nul_in_text("user_data." + std::string(column_name(c))));
  }
  return {};
}

Result<void> check_values(const ItemValues& values) {
  for (const auto& [column, value] : values) {
    if (!value) continue;
    if (auto r = check_literal(column, *value); !r) return r;
  }
  return {};
}

SqlParam to_param(const Literal& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* u = std::get_if<core::Uuid>(&v)) return u->str();
  if (const auto* t = std::get_if<core::Micros>(&v)) return int64_t{*t};
  return std::get<JsonText>(v).text;
}

Result<std::string> SqlBuilder::bind(ColumnType type, SqlParam p) {
  if (params_.size() >= kMaxSqlParams)
    return fail(row_errors::bad_query(ErrorCode::validation_failed, "too many values in one request"));
  params_.push_back(std::move(p));
  return d_.param(static_cast<int>(params_.size()), type);
}

Result<std::string> SqlBuilder::integer(int64_t v) {
  if (params_.size() >= kMaxSqlParams)
    return fail(row_errors::bad_query(ErrorCode::validation_failed, "too many values in one request"));
  params_.emplace_back(v);
  return d_.int_param(static_cast<int>(params_.size()));
}

Result<std::string> SqlBuilder::value(ItemColumn c, const std::optional<Literal>& v) {
  if (!v) return bind(column_type(c), std::monostate{});
  if (auto r = check_literal(c, *v); !r) return fail(std::move(r).error());
  return bind(column_type(c), to_param(*v));
}

Result<std::string> SqlBuilder::where(const FilterGroup& where) { return group(where, 0); }

Result<std::string> SqlBuilder::group(const FilterGroup& g, int depth) {
  if (depth > kMaxFilterDepth)
    return fail(row_errors::bad_query(ErrorCode::query_parse_failed, "filters nested too deeply"));
  std::string sql;
  if (g.children.empty()) {
    sql = g.any ? "FALSE" : "TRUE";  // an empty OR matches nothing, an empty AND everything
  } else {
    for (const FilterNode& child : g.children) {
      auto part = std::holds_alternative<Comparison>(child.node)
                      ? comparison(std::get<Comparison>(child.node))
                      : group(std::get<FilterGroup>(child.node), depth + 1);
      if (!part) return part;
      if (!sql.empty()) sql += g.any ? " OR " : " AND ";
      sql += "(" + *part + ")";
    }
  }
  return g.negated ? "NOT (" + sql + ")" : sql;
}

Result<std::string> SqlBuilder::one_value(const Comparison& c) {
  if (c.values.size() != 1) return fail(wrong_value(c.column));
  return value(c.column, c.values[0]);
}

Result<std::string> SqlBuilder::comparison(const Comparison& c) {
  const ColumnType type = column_type(c.column);
  const std::string col = d_.compared(c.column);
  std::string sql;
  switch (c.op) {
    case FilterOp::eq:
    case FilterOp::neq:
    case FilterOp::gt:
    case FilterOp::gte:
    case FilterOp::lt:
    case FilterOp::lte: {
      // jsonb has an order in PostgreSQL (by kind, then size, then keys in its own storage
      // order) that SQLite's canonical text does not share; refused rather than answered
      // differently by each backend. Equality is the same on both.
      if (type == ColumnType::jsonb && c.op != FilterOp::eq && c.op != FilterOp::neq)
        return fail(row_errors::bad_query(ErrorCode::undefined_function,
                                          "operator does not exist: jsonb " +
                                              std::string(comparison_operator(c.op)).substr(1) +
                                              "jsonb (not supported)"));
      auto v = one_value(c);
      if (!v) return v;
      sql = col + comparison_operator(c.op) + *v;
      break;
    }
    case FilterOp::like:
    case FilterOp::ilike: {
      const char* op = c.op == FilterOp::like ? "~~" : "~~*";
      if (type != ColumnType::text)
        return fail(row_errors::bad_query(ErrorCode::undefined_function,
                                          "operator does not exist: " +
                                              std::string(type_name(type)) + " " + op +
                                              " unknown"));
      auto v = one_value(c);
      if (!v) return v;
      if (ends_with_escape(std::get<std::string>(c.values[0])))
        return fail(row_errors::bad_query(ErrorCode::validation_failed,
                                          "LIKE pattern must not end with escape character"));
      sql = d_.like(col, *v, c.op == FilterOp::ilike);
      break;
    }
    case FilterOp::is:
      if (!c.values.empty()) return fail(wrong_value(c.column));
      if (c.is == IsValue::null) {
        sql = col + " IS NULL";
      } else if (c.is == IsValue::not_null) {
        sql = col + " IS NOT NULL";
      } else {
        // user_data has no boolean column.
        const char* what = c.is == IsValue::true_ ? "TRUE" : c.is == IsValue::false_ ? "FALSE"
                                                                                    : "UNKNOWN";
        return fail(row_errors::bad_query(ErrorCode::datatype_mismatch,
                                          std::string("argument of IS ") + what +
                                              " must be type boolean, not type " +
                                              std::string(type_name(type))));
      }
      break;
    case FilterOp::in:
      if (c.values.empty()) {
        sql = "FALSE";  // `in.()` matches nothing (PostgREST: = ANY('{}'))
        break;
      }
      for (const Literal& lit : c.values) {
        auto v = value(c.column, lit);
        if (!v) return v;
        sql += sql.empty() ? col + " IN (" : ", ";
        sql += *v;
      }
      sql += ")";
      break;
    case FilterOp::is_distinct: {
      auto v = one_value(c);
      if (!v) return v;
      sql = d_.is_distinct(col, *v);
      break;
    }
  }
  return c.negated ? "NOT (" + sql + ")" : sql;
}

std::string SqlBuilder::order_by(const std::vector<OrderTerm>& order) const {
  std::string sql;
  bool has_id = false;
  for (const OrderTerm& t : order) {
    sql += sql.empty() ? " ORDER BY " : ", ";
    sql += d_.compared(t.column);
    sql += t.descending ? " DESC" : " ASC";
    // PostgreSQL's default (NULLS LAST ascending, FIRST descending), written out on every
    // backend: SQLite's default is the reverse.
    const bool nulls_first = t.nulls_first.value_or(t.descending);
    sql += nulls_first ? " NULLS FIRST" : " NULLS LAST";
    if (t.column == ItemColumn::id) {
      has_id = true;
      break;  // ids are unique: later terms cannot change the order
    }
  }
  // A stable order on every backend, also for ties and for no order at all.
  if (!has_id) sql += (sql.empty() ? " ORDER BY " : ", ") + d_.compared(ItemColumn::id) + " ASC";
  return sql;
}

Result<std::string> SqlBuilder::range(std::optional<int64_t> limit, int64_t offset) {
  if (limit && *limit < 0)
    return fail(row_errors::bad_query(ErrorCode::validation_failed, "LIMIT must not be negative"));
  if (offset < 0)
    return fail(row_errors::bad_query(ErrorCode::validation_failed, "OFFSET must not be negative"));
  std::string sql = " LIMIT ";
  if (limit) {
    auto l = integer(*limit);
    if (!l) return l;
    sql += *l;
  } else {
    sql += d_.no_limit();
  }
  auto o = integer(offset);
  if (!o) return o;
  return sql + " OFFSET " + *o;
}

}  // namespace latchkey::store
