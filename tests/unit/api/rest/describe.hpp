#pragma once
// Compact text for parsed filters and order, so table-driven tests can state the expected
// tree in one line: and(title.eq('beta'),or(id.is(null),not.title.like('K%'))).
#include <string>
#include <variant>

#include "store/item_query.hpp"

namespace latchkey::api::rest::testing {

inline std::string describe(const store::Literal& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return "'" + *s + "'";
  if (const auto* u = std::get_if<core::Uuid>(&v)) return "uuid:" + u->str();
  if (const auto* t = std::get_if<core::Micros>(&v)) return "ts:" + std::to_string(*t);
  return "json:" + std::get<store::JsonText>(v).text;
}

inline std::string op_name(store::FilterOp op) {
  using store::FilterOp;
  switch (op) {
    case FilterOp::eq: return "eq";
    case FilterOp::neq: return "neq";
    case FilterOp::gt: return "gt";
    case FilterOp::gte: return "gte";
    case FilterOp::lt: return "lt";
    case FilterOp::lte: return "lte";
    case FilterOp::like: return "like";
    case FilterOp::ilike: return "ilike";
    case FilterOp::is: return "is";
    case FilterOp::in: return "in";
    case FilterOp::is_distinct: return "isdistinct";
  }
  return "?";
}

inline std::string is_name(store::IsValue v) {
  switch (v) {
    case store::IsValue::null: return "null";
    case store::IsValue::not_null: return "not_null";
    case store::IsValue::true_: return "true";
    case store::IsValue::false_: return "false";
    case store::IsValue::unknown: return "unknown";
  }
  return "?";
}

inline std::string describe(const store::Comparison& c) {
  std::string out = c.negated ? "not." : "";
  out += std::string(store::column_name(c.column)) + "." + op_name(c.op) + "(";
  if (c.op == store::FilterOp::is) {
    out += is_name(c.is);
  } else {
    for (size_t i = 0; i < c.values.size(); ++i) out += (i ? "," : "") + describe(c.values[i]);
  }
  return out + ")";
}

inline std::string describe(const store::FilterGroup& g) {
  std::string out = std::string(g.negated ? "not." : "") + (g.any ? "or(" : "and(");
  for (size_t i = 0; i < g.children.size(); ++i) {
    if (i) out += ",";
    std::visit([&out](const auto& n) { out += describe(n); }, g.children[i].node);
  }
  return out + ")";
}

inline std::string describe(const std::vector<store::OrderTerm>& order) {
  std::string out;
  for (const auto& t : order) {
    if (!out.empty()) out += ",";
    out += std::string(store::column_name(t.column)) + (t.descending ? ".desc" : ".asc");
    if (t.nulls_first) out += *t.nulls_first ? ".nullsfirst" : ".nullslast";
  }
  return out;
}

}  // namespace latchkey::api::rest::testing
