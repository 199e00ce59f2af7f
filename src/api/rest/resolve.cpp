#include "api/rest/resolve.hpp"

#include <algorithm>

#include "api/rest/literal.hpp"

namespace latchkey::api::rest {
namespace {

using store::ColumnType;
using store::FilterOp;
using store::IsValue;
using MaybeError = std::optional<Error>;

constexpr std::string_view kNoOperatorHint =
    "No operator matches the given name and argument types. You might need to add explicit "
    "type casts.";

std::string_view operator_symbol(FilterOp op) {
  switch (op) {
    case FilterOp::gt: return ">";
    case FilterOp::gte: return ">=";
    case FilterOp::lt: return "<";
    case FilterOp::lte: return "<=";
    case FilterOp::like: return "~~";
    case FilterOp::ilike: return "~~*";
    default: return "=";
  }
}

std::string_view is_keyword(IsValue v) {
  switch (v) {
    case IsValue::true_: return "IS TRUE";
    case IsValue::false_: return "IS FALSE";
    default: return "IS UNKNOWN";
  }
}

// The type errors PostgreSQL raises for an operator the column's type lacks.
MaybeError check_operator(store::ItemColumn column, const RawComparison& raw) {
  const ColumnType type = store::column_type(column);
  const std::string type_name(sql_type_name(column));
  if (raw.op == FilterOp::is && raw.is != IsValue::null && raw.is != IsValue::not_null) {
    return Error::make(ErrorCode::datatype_mismatch, "argument of " +
                                                         std::string(is_keyword(raw.is)) +
                                                         " must be type boolean, not type " +
                                                         type_name);
  }
  const bool pattern = raw.op == FilterOp::like || raw.op == FilterOp::ilike;
  if (pattern && type != ColumnType::text) {
    return Error::make(ErrorCode::undefined_function,
                       "operator does not exist: " + type_name + " " +
                           std::string(operator_symbol(raw.op)) + " unknown")
        .with_details("", std::string(kNoOperatorHint));
  }
  const bool ordering = raw.op == FilterOp::gt || raw.op == FilterOp::gte ||
                        raw.op == FilterOp::lt || raw.op == FilterOp::lte;
  // PostgreSQL orders jsonb, SQLite would order its text: one rule for both is none.
  if (ordering && type == ColumnType::jsonb) {
    return Error::make(ErrorCode::undefined_function,
                       "operator does not exist: jsonb " + std::string(operator_symbol(raw.op)) +
                           " unknown")
        .with_details("", "metadata can be compared with eq, neq, in, is and isdistinct only");
  }
  return std::nullopt;
}

Result<store::Comparison> resolve_comparison(const RawComparison& raw) {
  auto column = resolve_column(raw.field);
  if (!column) return fail(std::move(column).error());
  if (auto e = check_operator(*column, raw)) return fail(std::move(*e));
  store::Comparison out{.column = *column, .op = raw.op, .negated = raw.negated, .values = {},
                        .is = raw.is};
  out.values.reserve(raw.values.size());
  for (const auto& text : raw.values) {
    if (raw.op == FilterOp::like || raw.op == FilterOp::ilike) {
      std::string pattern = text;
      std::replace(pattern.begin(), pattern.end(), '*', '%');  // the client's wildcard
      out.values.emplace_back(std::move(pattern));
      continue;
    }
    auto literal = literal_from_text(*column, text);
    if (!literal) return fail(std::move(literal).error());
    out.values.push_back(std::move(*literal));
  }
  return out;
}

}  // namespace

Result<store::ItemColumn> resolve_column(std::string_view name) {
  if (auto c = store::item_column(name)) return *c;
  return fail(Error::make(ErrorCode::unknown_column,
                          "column user_data." + std::string(name) + " does not exist"));
}

Error unknown_body_column(std::string_view name) {
  return Error::make(ErrorCode::unknown_body_column,
                     "Could not find the '" + std::string(name) +
                         "' column of 'user_data' in the schema cache");
}

// Recursion is bounded by kMaxLogicDepth, which the syntax pass enforced.
Result<store::FilterGroup> resolve_group(const RawGroup& raw) {
  store::FilterGroup out{.any = raw.any, .negated = raw.negated, .children = {}};
  out.children.reserve(raw.children.size());
  for (const auto& child : raw.children) {
    if (const auto* cmp = std::get_if<RawComparison>(&child.node)) {
      auto c = resolve_comparison(*cmp);
      if (!c) return fail(std::move(c).error());
      out.children.push_back(store::FilterNode{std::move(*c)});
    } else {
      auto g = resolve_group(std::get<RawGroup>(child.node));
      if (!g) return fail(std::move(g).error());
      out.children.push_back(store::FilterNode{std::move(*g)});
    }
  }
  return out;
}

Result<std::vector<SelectItem>> resolve_select(const std::vector<RawSelectItem>& raw) {
  std::vector<SelectItem> out;
  for (const auto& item : raw) {
    if (item.star) {
      for (auto& c : all_columns()) out.push_back(std::move(c));
      continue;
    }
    auto column = resolve_column(item.field);
    if (!column) return fail(std::move(column).error());
    out.push_back(SelectItem{*column, item.alias.empty() ? item.field : item.alias});
  }
  return out;
}

Result<std::vector<store::OrderTerm>> resolve_order(const std::vector<RawOrderTerm>& raw) {
  std::vector<store::OrderTerm> out;
  for (const auto& t : raw) {
    auto column = resolve_column(t.field);
    if (!column) return fail(std::move(column).error());
    // metadata orders as PostgREST orders it (NULLs placed alike on every backend); among
    // non-NULL values each backend keeps its own order (store/item_rows.hpp).
    out.push_back(store::OrderTerm{*column, t.descending, t.nulls_first});
  }
  return out;
}

Result<std::vector<store::ItemColumn>> resolve_insert_columns(const std::vector<std::string>& raw) {
  std::vector<store::ItemColumn> out;
  for (const auto& name : raw) {
    const auto c = store::item_column(name);
    if (!c) return fail(unknown_body_column(name));
    if (std::find(out.begin(), out.end(), *c) == out.end()) out.push_back(*c);
  }
  return out;
}

Result<std::vector<store::ItemColumn>> resolve_on_conflict(const std::vector<std::string>& raw) {
  std::vector<store::ItemColumn> out;
  for (const auto& name : raw) {
    auto c = resolve_column(name);
    if (!c) return fail(std::move(c).error());
    if (std::find(out.begin(), out.end(), *c) == out.end()) out.push_back(*c);
  }
  // user_data's only unique key is its primary key.
  if (out != std::vector<store::ItemColumn>{store::ItemColumn::id}) {
    return fail(Error::make(ErrorCode::invalid_conflict_target,
                            "there is no unique or exclusion constraint matching the ON "
                            "CONFLICT specification"));
  }
  return out;
}

}  // namespace latchkey::api::rest
