#pragma once
// The contract of store::ItemRowStore (the data API's rows), run against every backend with
// the same expected values, so SQLite and PostgreSQL must answer every query alike. Cases:
// item_rows_contract.cpp (reads), item_rows_like_contract.cpp (like, ilike),
// item_rows_write_contract.cpp (writes),
// item_rows_scope_contract.cpp (scopes, refusals). Each backend instantiates it next to its
// StoreContract (sqlite_backend_test.cpp, postgres_backend_test.cpp).
#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <optional>
#include <string>
#include <vector>

#include "store_contract.hpp"

namespace latchkey::store {
// Tests compare whole rows.
inline bool operator==(const ItemRecord& a, const ItemRecord& b) {
  return a.id == b.id && a.user_id == b.user_id && a.title == b.title && a.content == b.content &&
         a.metadata_json == b.metadata_json && a.created_at == b.created_at &&
         a.updated_at == b.updated_at;
}
inline void PrintTo(const ItemRecord& r, std::ostream* os) {
  *os << "{" << r.id.str() << " " << r.user_id.str() << " " << r.title << " | " << r.content
      << " | " << r.metadata_json.value_or("NULL") << " " << r.created_at << " " << r.updated_at
      << "}";
}
}  // namespace latchkey::store

namespace latchkey::store::testing {

// Alice owns four rows, bob one (all created through ItemStore):
//   alpha    "first"     {"k":1}  kT0+1        Beta     "second"    NULL     kT0+2
//   gamma_3  "50% off"   {"k":2}  kT0+3        delta\x  "é accent"  NULL     kT0+4
//   bob's    alpha       "bob's"  NULL         kT0+1
class ItemRowsContract : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override;
  Store& store() { return backend_->store(); }
  ItemRowStore& rows() { return store().rows(); }

  static DataScope as(const UserId& user) { return {DataRole::authenticated, user}; }
  static constexpr DataScope kAnon{DataRole::anon, {}};
  static constexpr DataScope kService{DataRole::service_role, {}};

  // Titles of `scope`'s rows matching `where`, in the store's order (by id unless `order`).
  std::vector<std::string> titles(const DataScope& scope, const FilterGroup& where,
                                  std::vector<OrderTerm> order = {});
  // The same, sorted: for cases where only the set matters.
  std::vector<std::string> title_set(const DataScope& scope, const FilterGroup& where);
  // Every row of the table as service_role sees it, ordered by id.
  std::vector<ItemRecord> everything();
  std::optional<ItemRecord> row_by_id(const ItemId& id);

  UserId add_user(const std::string& name);
  ItemRecord add_row(const UserId& owner, const std::string& title, const std::string& content,
                     std::optional<std::string> metadata, core::Micros at);

  static constexpr core::Micros kT0 = 1'700'000'000'000'000;

  UserId alice_, bob_;
  ItemRecord alpha_, beta_, gamma_, delta_, bobs_;

 private:
  std::unique_ptr<Backend> backend_;
};

// Filter and value builders, so cases read like the query strings they stand for.
Comparison cmp(ItemColumn c, FilterOp op, std::vector<Literal> values = {}, bool negated = false);
Comparison is(ItemColumn c, IsValue v, bool negated = false);
FilterGroup all_of(std::vector<FilterNode> children, bool negated = false);
FilterGroup any_of(std::vector<FilterNode> children, bool negated = false);
FilterGroup where(Comparison c);  // one comparison, ANDed at the top
FilterGroup everything_filter();
inline ItemQuery query_of(FilterGroup w) {
  ItemQuery q;
  q.where = std::move(w);
  return q;
}
inline FilterNode node(Comparison c) { return FilterNode{std::move(c)}; }
inline FilterNode node(FilterGroup g) { return FilterNode{std::move(g)}; }
inline Literal text(std::string s) { return Literal{std::move(s)}; }
inline Literal json(std::string s) { return Literal{JsonText{std::move(s)}}; }
inline Literal at(core::Micros t) { return Literal{t}; }
inline Literal uuid(const core::Uuid& u) { return Literal{u}; }

template <class T>
Errc code_of(const Result<T>& r) {
  EXPECT_FALSE(r.has_value()) << "expected a failure";
  return r.has_value() ? Errc::internal : r.error().code;
}

}  // namespace latchkey::store::testing
