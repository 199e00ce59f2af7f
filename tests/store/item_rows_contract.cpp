// ItemRowStore contract: the fixture, and reads (every filter operator, groups, order,
// range, count).
#include "item_rows_contract.hpp"

#include <algorithm>

namespace latchkey::store::testing {

Comparison cmp(ItemColumn c, FilterOp op, std::vector<Literal> values, bool negated) {
  Comparison out;
  out.column = c;
  out.op = op;
  out.values = std::move(values);
  out.negated = negated;
  return out;
}

Comparison is(ItemColumn c, IsValue v, bool negated) {
  Comparison out = cmp(c, FilterOp::is, {}, negated);
  out.is = v;
  return out;
}

FilterGroup all_of(std::vector<FilterNode> children, bool negated) {
  return FilterGroup{false, negated, std::move(children)};
}
FilterGroup any_of(std::vector<FilterNode> children, bool negated) {
  return FilterGroup{true, negated, std::move(children)};
}
FilterGroup where(Comparison c) { return all_of({node(std::move(c))}); }
FilterGroup everything_filter() { return FilterGroup{}; }

void ItemRowsContract::SetUp() {
  backend_ = GetParam().make();
  alice_ = add_user("alice");
  bob_ = add_user("bob");
  alpha_ = add_row(alice_, "alpha", "first", "{\"k\":1}", kT0 + 1);
  beta_ = add_row(alice_, "Beta", "second", std::nullopt, kT0 + 2);
  gamma_ = add_row(alice_, "gamma_3", "50% off", "{\"k\":2}", kT0 + 3);
  delta_ = add_row(alice_, "delta\\x", "\xC3\xA9 accent", std::nullopt, kT0 + 4);
  bobs_ = add_row(bob_, "alpha", "bob's", std::nullopt, kT0 + 1);
}

UserId ItemRowsContract::add_user(const std::string& name) {
  const UserId id{core::Uuid::random_v4()};
  auto r = store().users().create_user({id, name + "@example.com", "{}", "h"}, kT0);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().detail);
  return id;
}

ItemRecord ItemRowsContract::add_row(const UserId& owner, const std::string& title,
                                     const std::string& content,
                                     std::optional<std::string> metadata, core::Micros at) {
  auto r = store().items().create_item(
      owner, {ItemId{core::Uuid::random_v4()}, title, content, std::move(metadata)}, at);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().detail);
  return std::move(r).value();
}

std::vector<std::string> ItemRowsContract::titles(const DataScope& scope, const FilterGroup& w,
                                                  std::vector<OrderTerm> order) {
  ItemQuery q;
  q.where = w;
  q.order = std::move(order);
  auto r = rows().select_rows(scope, q);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().detail);
  std::vector<std::string> out;
  if (r)
    for (const ItemRecord& row : r->rows) out.push_back(row.title);
  return out;
}

std::vector<std::string> ItemRowsContract::title_set(const DataScope& scope, const FilterGroup& w) {
  auto out = titles(scope, w);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<ItemRecord> ItemRowsContract::everything() {
  auto r = rows().select_rows(kService, ItemQuery{});
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().detail);
  return r ? r->rows : std::vector<ItemRecord>{};
}

std::optional<ItemRecord> ItemRowsContract::row_by_id(const ItemId& id) {
  ItemQuery q;
  q.where = where(cmp(ItemColumn::id, FilterOp::eq, {uuid(id.v)}));
  auto r = rows().select_rows(kService, q);
  if (!r || r->rows.size() != 1) return std::nullopt;
  return r->rows[0];
}

namespace {

using C = ItemColumn;
using Op = FilterOp;
using Titles = std::vector<std::string>;

struct FilterCase {
  const char* name;
  FilterGroup where;
  Titles expected;  // sorted
};

TEST_P(ItemRowsContract, EveryFilterOperatorMatchesTheSameRowsOnEveryBackend) {
  const Titles everyone = {"Beta", "alpha", "delta\\x", "gamma_3"};
  const std::vector<FilterCase> cases = {
      {"eq", where(cmp(C::title, Op::eq, {text("alpha")})), {"alpha"}},
      {"neq", where(cmp(C::title, Op::neq, {text("alpha")})), {"Beta", "delta\\x", "gamma_3"}},
      {"not.eq", where(cmp(C::title, Op::eq, {text("alpha")}, true)),
       {"Beta", "delta\\x", "gamma_3"}},
      // Code point order: "B" < "a", whatever the database's collation.
      {"gt text", where(cmp(C::title, Op::gt, {text("alpha")})), {"delta\\x", "gamma_3"}},
      {"gte text", where(cmp(C::title, Op::gte, {text("alpha")})),
       {"alpha", "delta\\x", "gamma_3"}},
      {"lt text", where(cmp(C::title, Op::lt, {text("alpha")})), {"Beta"}},
      {"lte text", where(cmp(C::title, Op::lte, {text("alpha")})), {"Beta", "alpha"}},
      {"not.lt", where(cmp(C::title, Op::lt, {text("alpha")}, true)),
       {"alpha", "delta\\x", "gamma_3"}},
      {"gt time", where(cmp(C::created_at, Op::gt, {at(kT0 + 2)})), {"delta\\x", "gamma_3"}},
      {"lte time", where(cmp(C::created_at, Op::lte, {at(kT0 + 2)})), {"Beta", "alpha"}},
      {"eq time, exact to the microsecond", where(cmp(C::created_at, Op::eq, {at(kT0 + 3)})),
       {"gamma_3"}},
      {"gte time", where(cmp(C::updated_at, Op::gte, {at(kT0 + 4)})), {"delta\\x"}},
      {"eq uuid", where(cmp(C::id, Op::eq, {uuid(beta_.id.v)})), {"Beta"}},
      {"neq uuid", where(cmp(C::user_id, Op::neq, {uuid(alice_.v)})), {}},
      {"in", where(cmp(C::id, Op::in, {uuid(alpha_.id.v), uuid(gamma_.id.v)})),
       {"alpha", "gamma_3"}},
      {"in text", where(cmp(C::title, Op::in, {text("alpha"), text("Beta"), text("x")})),
       {"Beta", "alpha"}},
      {"empty in matches nothing", where(cmp(C::id, Op::in, {})), {}},
      {"not.in () matches everything", where(cmp(C::id, Op::in, {}, true)), everyone},
      {"not.in", where(cmp(C::title, Op::in, {text("alpha")}, true)),
       {"Beta", "delta\\x", "gamma_3"}},
      {"is null", where(is(C::metadata, IsValue::null)), {"Beta", "delta\\x"}},
      {"not.is.null", where(is(C::metadata, IsValue::null, true)), {"alpha", "gamma_3"}},
      {"is not_null", where(is(C::metadata, IsValue::not_null)), {"alpha", "gamma_3"}},
      {"jsonb eq", where(cmp(C::metadata, Op::eq, {json("{\"k\":1}")})), {"alpha"}},
      // NULL <> x is NULL: rows without metadata match neither eq nor neq.
      {"jsonb neq", where(cmp(C::metadata, Op::neq, {json("{\"k\":1}")})), {"gamma_3"}},
      {"jsonb in", where(cmp(C::metadata, Op::in, {json("{\"k\":2}"), json("{}")})),
       {"gamma_3"}},
      {"isdistinct", where(cmp(C::metadata, Op::is_distinct, {json("{\"k\":1}")})),
       {"Beta", "delta\\x", "gamma_3"}},
      {"not.isdistinct", where(cmp(C::metadata, Op::is_distinct, {json("{\"k\":1}")}, true)),
       {"alpha"}},
      {"isdistinct text", where(cmp(C::title, Op::is_distinct, {text("alpha")})),
       {"Beta", "delta\\x", "gamma_3"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(title_set(as(alice_), c.where), c.expected) << c.name;
  }
}

TEST_P(ItemRowsContract, GroupsNestAndNegate) {
  const auto is_alpha = node(cmp(C::title, Op::eq, {text("alpha")}));
  const auto is_beta = node(cmp(C::title, Op::eq, {text("Beta")}));
  const auto has_meta = node(is(C::metadata, IsValue::not_null));
  const std::vector<FilterCase> cases = {
      {"or", all_of({node(any_of({is_alpha, is_beta}))}), {"Beta", "alpha"}},
      {"not.or", all_of({node(any_of({is_alpha, is_beta}, true))}), {"delta\\x", "gamma_3"}},
      {"and inside or",
       any_of({node(all_of({has_meta, node(cmp(C::created_at, Op::gt, {at(kT0 + 1)}))})),
               is_beta}),
       {"Beta", "gamma_3"}},
      {"not.and", all_of({node(all_of({has_meta, is_alpha}, true))}),
       {"Beta", "delta\\x", "gamma_3"}},
      {"three levels",
       all_of({node(any_of({node(all_of({is_alpha, has_meta})),
                            node(all_of({node(any_of({is_beta})), node(any_of({}, true))}))}))}),
       {"Beta", "alpha"}},
      {"an empty or matches nothing", all_of({node(any_of({}))}), {}},
      {"an empty and matches everything", all_of({node(all_of({}))}),
       {"Beta", "alpha", "delta\\x", "gamma_3"}},
      {"not.or() matches everything", all_of({node(any_of({}, true))}),
       {"Beta", "alpha", "delta\\x", "gamma_3"}},
      {"top-level or", any_of({is_alpha, has_meta}), {"alpha", "gamma_3"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(title_set(as(alice_), c.where), c.expected) << c.name;
  }
}

TEST_P(ItemRowsContract, OrderIncludingNullsFirstAndLast) {
  const auto by = [](C c, bool desc, std::optional<bool> nulls_first = std::nullopt) {
    return OrderTerm{c, desc, nulls_first};
  };
  const auto title_asc = by(C::title, false);
  struct OrderCase {
    const char* name;
    std::vector<OrderTerm> order;
    Titles expected;  // exactly in this order
  };
  const std::vector<OrderCase> cases = {
      {"title asc, by code point", {title_asc}, {"Beta", "alpha", "delta\\x", "gamma_3"}},
      {"title desc", {by(C::title, true)}, {"gamma_3", "delta\\x", "alpha", "Beta"}},
      {"created_at desc", {by(C::created_at, true)}, {"delta\\x", "gamma_3", "Beta", "alpha"}},
      {"asc puts nulls last by default", {by(C::metadata, false), title_asc},
       {"alpha", "gamma_3", "Beta", "delta\\x"}},
      {"asc nullsfirst", {by(C::metadata, false, true), title_asc},
       {"Beta", "delta\\x", "alpha", "gamma_3"}},
      {"desc puts nulls first by default", {by(C::metadata, true), title_asc},
       {"Beta", "delta\\x", "gamma_3", "alpha"}},
      {"desc nullslast", {by(C::metadata, true, false), title_asc},
       {"gamma_3", "alpha", "Beta", "delta\\x"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(titles(as(alice_), everything_filter(), c.order), c.expected) << c.name;
  }
  // Without an order, rows come back by id: the same on every backend, call after call.
  std::vector<ItemRecord> mine = {alpha_, beta_, gamma_, delta_};
  std::sort(mine.begin(), mine.end(), [](auto& a, auto& b) { return a.id.v < b.id.v; });
  Titles by_id;
  for (const auto& r : mine) by_id.push_back(r.title);
  EXPECT_EQ(titles(as(alice_), everything_filter()), by_id);
  // Ties are broken by id too.
  mine = {alpha_, bobs_};
  std::sort(mine.begin(), mine.end(), [](auto& a, auto& b) { return a.id.v < b.id.v; });
  ItemQuery q;
  q.where = where(cmp(C::title, Op::eq, {text("alpha")}));
  q.order = {title_asc};
  auto both = rows().select_rows(kService, q);
  ASSERT_TRUE(both.has_value());
  ASSERT_EQ(both->rows.size(), 2u);
  EXPECT_EQ(both->rows[0].id, mine[0].id);
  EXPECT_EQ(both->rows[1].id, mine[1].id);
}

TEST_P(ItemRowsContract, LimitOffsetAndCountOfTheWholeFilter) {
  ItemQuery q;
  q.order = {OrderTerm{C::title, false, std::nullopt}};
  q.limit = 2;
  q.offset = 1;
  q.count = true;
  auto page = rows().select_rows(as(alice_), q);
  ASSERT_TRUE(page.has_value()) << page.error().detail;
  ASSERT_EQ(page->rows.size(), 2u);
  EXPECT_EQ(page->rows[0].title, "alpha");
  EXPECT_EQ(page->rows[1].title, "delta\\x");
  EXPECT_EQ(page->total, 4) << "the count ignores the range";

  q.where = where(is(C::metadata, IsValue::null));
  q.limit = 1;
  q.offset = 0;
  page = rows().select_rows(as(alice_), q);
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->rows.size(), 1u);
  EXPECT_EQ(page->rows[0].title, "Beta");
  EXPECT_EQ(page->total, 2) << "the count is of the filtered rows";

  q.where = {};
  q.offset = 10;  // past the end: no rows, still the total
  page = rows().select_rows(as(alice_), q);
  ASSERT_TRUE(page.has_value());
  EXPECT_TRUE(page->rows.empty());
  EXPECT_EQ(page->total, 4);

  q.offset = 0;
  q.limit = 0;
  page = rows().select_rows(as(alice_), q);
  ASSERT_TRUE(page.has_value());
  EXPECT_TRUE(page->rows.empty());
  EXPECT_EQ(page->total, 4);

  q.limit.reset();
  q.count = false;
  page = rows().select_rows(as(alice_), q);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->rows.size(), 4u);
  EXPECT_EQ(page->total, std::nullopt) << "no count unless asked";
}

TEST_P(ItemRowsContract, RowsComeBackWhole) {
  auto r = rows().select_rows(as(alice_), query_of(where(cmp(C::id, Op::eq, {uuid(alpha_.id.v)}))));
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->rows.size(), 1u);
  const ItemRecord& got = r->rows[0];
  EXPECT_EQ(got.id, alpha_.id);
  EXPECT_EQ(got.user_id, alice_);
  EXPECT_EQ(got.title, "alpha");
  EXPECT_EQ(got.content, "first");
  EXPECT_EQ(got.metadata_json, "{\"k\":1}");
  EXPECT_EQ(got.created_at, kT0 + 1);
  EXPECT_EQ(got.updated_at, kT0 + 1);
}

TEST_P(ItemRowsContract, MetadataComesBackCanonical) {
  // Canonical text (sorted keys) in, the same text out: jsonb keeps keys shortest first
  // ("b" before "aa") and prints spaces, which the PostgreSQL backend must undo.
  const std::string meta = "{\"aa\":{\"x\":null,\"y\":[1,2.5,\"s\"]},\"b\":true}";
  ItemValues v = {{C::title, text("m")}, {C::content, text("c")}, {C::metadata, json(meta)}};
  auto ins = rows().insert_rows(as(alice_), {v}, std::nullopt, {}, kT0);
  ASSERT_TRUE(ins.has_value()) << ins.error().detail;
  ASSERT_EQ(ins->rows.size(), 1u);
  EXPECT_EQ(ins->rows[0].metadata_json,
            "{\"aa\":{\"x\":null,\"y\":[1,2.5,\"s\"]},\"b\":true}");
  EXPECT_EQ(title_set(as(alice_), where(cmp(C::metadata, Op::eq,
                                            {json("{\"aa\":{\"x\":null,\"y\":[1,2.5,\"s\"]},"
                                                  "\"b\":true}")}))),
            Titles{"m"});
}

}  // namespace
}  // namespace latchkey::store::testing
