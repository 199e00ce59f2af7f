#pragma once
// ItemQuery values compiled into SQL text with numbered parameters, for both backends. The
// text is made only of this file's fixed fragments and of column names and operators chosen
// by enum; every literal becomes a bound parameter. Security: nothing a client sent is ever
// pasted into SQL, so the filter tree cannot change the statement's shape beyond AND, OR,
// NOT and the listed operators.
//
// What the backends share, so that one query means the same on both: text compares by code
// point (PostgreSQL: COLLATE "C", whatever the database's collation), NULLs sort where
// PostgreSQL puts them by default (written out, since SQLite's default is the opposite), ties
// are broken by id, and LIKE is PostgreSQL's (SQLite: the pg_like() function).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/error.hpp"
#include "store/item_query.hpp"

namespace latchkey::store {

// A bound value: NULL, text (uuid and JSON as text too) or an integer (timestamps as epoch
// microseconds).
using SqlParam = std::variant<std::monostate, std::string, int64_t>;

// What differs between the backends' SQL for the same query.
class SqlDialect {
 public:
  virtual ~SqlDialect() = default;
  // Parameter `index` (1-based) as an expression of `type` ("$3::uuid", "?3").
  virtual std::string param(int index, ColumnType type) const = 0;
  // Parameter `index` as an integer (limit, offset).
  virtual std::string int_param(int index) const = 0;
  // The LIMIT of a query without one ("ALL", "-1").
  virtual std::string no_limit() const = 0;
  // The column as filters and ORDER BY compare it.
  virtual std::string compared(ItemColumn c) const = 0;
  // `text` LIKE `pattern` (ILIKE if `icase`), with PostgreSQL's semantics.
  virtual std::string like(const std::string& text, const std::string& pattern,
                           bool icase) const = 0;
  virtual std::string is_distinct(const std::string& a, const std::string& b) const = 0;
};

// Below both databases' own limits (SQLite: 32766 parameters, expression depth 1000;
// PostgreSQL: 65535 parameters, max_stack_depth), so a huge or deeply nested query is
// refused as invalid input instead of failing inside the database (or this recursion).
inline constexpr size_t kMaxSqlParams = 20000;
inline constexpr int kMaxFilterDepth = 32;

// invalid_input unless every value has its column's type and no text holds a NUL (the
// text rule of every backend, store/text_rules.hpp).
Result<void> check_values(const ItemValues& values);
Result<void> check_literal(ItemColumn c, const Literal& v);

// The literal as bound: uuid as canonical text, JSON as its canonical text.
SqlParam to_param(const Literal& v);

// Collects parameters while fragments are compiled; one per statement.
class SqlBuilder {
 public:
  explicit SqlBuilder(const SqlDialect& dialect) : d_(dialect) {}

  // Binds a value of column `c` (NULL if nullopt) and returns its SQL.
  Result<std::string> value(ItemColumn c, const std::optional<Literal>& v);
  // Binds an already checked parameter of `type`.
  Result<std::string> bind(ColumnType type, SqlParam p);
  Result<std::string> integer(int64_t v);
  // The condition `where` stands for (never empty: "TRUE" for no filter).
  Result<std::string> where(const FilterGroup& where);
  // " ORDER BY ..., id ASC": NULLS FIRST/LAST always written, id as the final tie-break.
  std::string order_by(const std::vector<OrderTerm>& order) const;
  // " LIMIT ... OFFSET ..." (negative values refused).
  Result<std::string> range(std::optional<int64_t> limit, int64_t offset);

  std::vector<SqlParam>& params() { return params_; }

 private:
  Result<std::string> group(const FilterGroup& g, int depth);
  Result<std::string> comparison(const Comparison& c);
  Result<std::string> one_value(const Comparison& c);

  const SqlDialect& d_;
  std::vector<SqlParam> params_;
};

}  // namespace latchkey::store
