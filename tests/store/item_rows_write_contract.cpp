// ItemRowStore contract: inserts, upserts, updates and deletes, and WriteOptions.
#include "item_rows_contract.hpp"

namespace latchkey::store::testing {
namespace {

using C = ItemColumn;
using Op = FilterOp;
using Titles = std::vector<std::string>;

ItemValues row_of(std::string title, std::string content) {
  return {{C::title, text(std::move(title))}, {C::content, text(std::move(content))}};
}

FilterGroup by_title(const std::string& t) { return where(cmp(C::title, Op::eq, {text(t)})); }

TEST_P(ItemRowsContract, InsertTakesTheColumnDefaults) {
  auto r = rows().insert_rows(as(alice_), {row_of("new", "c")}, std::nullopt, {}, kT0 + 100);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->rows.size(), 1u);
  const ItemRecord& got = r->rows[0];
  EXPECT_EQ(got.id.v.bytes()[6] >> 4, 4) << "a version 4 uuid";
  EXPECT_EQ(got.user_id, alice_) << "the caller";
  EXPECT_EQ(got.metadata_json, std::nullopt);
  EXPECT_EQ(got.created_at, kT0 + 100);
  EXPECT_EQ(got.updated_at, kT0 + 100);
  EXPECT_FALSE(r->rolled_back);
  auto stored = row_by_id(got.id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->title, "new");
  EXPECT_EQ(stored->created_at, kT0 + 100);
}

TEST_P(ItemRowsContract, InsertOfManyRowsKeepsTheirOrderAndExplicitValues) {
  const ItemId id{core::Uuid::random_v4()};
  ItemValues first = row_of("one", "c1");
  first[C::id] = uuid(id.v);
  first[C::created_at] = at(kT0 - 5);
  first[C::metadata] = json("{\"n\":1}");
  ItemValues second = row_of("two", "c2");
  second[C::metadata] = std::nullopt;  // present NULL
  ItemValues third = row_of("three", "c3");
  third[C::user_id] = uuid(alice_.v);  // naming oneself is fine
  auto r = rows().insert_rows(as(alice_), {first, second, third}, std::nullopt, {}, kT0 + 7);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_EQ(r->rows[0].title, "one");
  EXPECT_EQ(r->rows[1].title, "two");
  EXPECT_EQ(r->rows[2].title, "three");
  EXPECT_EQ(r->rows[0].id, id);
  EXPECT_EQ(r->rows[0].created_at, kT0 - 5);
  EXPECT_EQ(r->rows[0].updated_at, kT0 + 7);
  EXPECT_EQ(r->rows[0].metadata_json, "{\"n\":1}");
  EXPECT_EQ(r->rows[1].metadata_json, std::nullopt);
  EXPECT_EQ(everything().size(), 8u);
}

TEST_P(ItemRowsContract, OneBadRowWritesNoneOfThem) {
  ItemValues no_title = {{C::content, text("c")}};
  auto r = rows().insert_rows(as(alice_), {row_of("ok", "c"), no_title}, std::nullopt, {}, kT0);
  ASSERT_EQ(code_of(r), Errc::invalid_input);
  EXPECT_EQ(r.error().public_code, ErrorCode::not_null_violation);
  EXPECT_EQ(r.error().details, "title");
  ItemValues null_content = row_of("t", "c");
  null_content[C::content] = std::nullopt;
  r = rows().insert_rows(as(alice_), {null_content}, std::nullopt, {}, kT0);
  ASSERT_EQ(code_of(r), Errc::invalid_input);
  EXPECT_EQ(r.error().details, "content");
  EXPECT_EQ(everything().size(), 5u) << "nothing was inserted";
}

TEST_P(ItemRowsContract, ADuplicateIdIsAConflictNamingTheKey) {
  // Also for an id of another user's row (PostgreSQL reveals that it exists, too).
  for (const ItemRecord* taken : {&alpha_, &bobs_}) {
    ItemValues v = row_of("dup", "c");
    v[C::id] = uuid(taken->id.v);
    auto r = rows().insert_rows(as(alice_), {row_of("first", "c"), v}, std::nullopt, {}, kT0);
    ASSERT_EQ(code_of(r), Errc::conflict);
    EXPECT_EQ(r.error().public_code, ErrorCode::unique_violation);
    EXPECT_EQ(r.error().details, "Key (id)=(" + taken->id.str() + ") already exists.");
  }
  // Two rows of one insert with the same id.
  const core::Uuid id = core::Uuid::random_v4();
  ItemValues a = row_of("a", "c"), b = row_of("b", "c");
  a[C::id] = uuid(id);
  b[C::id] = uuid(id);
  EXPECT_EQ(code_of(rows().insert_rows(as(alice_), {a, b}, std::nullopt, {}, kT0)), Errc::conflict);
  EXPECT_EQ(everything().size(), 5u);
  EXPECT_EQ(row_by_id(alpha_.id)->title, "alpha");
}

TEST_P(ItemRowsContract, MetadataMustBeAnObject) {
  for (const char* meta : {"[1]", "null", "\"s\"", "1"}) {
    ItemValues v = row_of("m", "c");
    v[C::metadata] = json(meta);
    auto r = rows().insert_rows(as(alice_), {v}, std::nullopt, {}, kT0);
    ASSERT_EQ(code_of(r), Errc::invalid_input) << meta;
    EXPECT_EQ(r.error().public_code, ErrorCode::check_violation) << meta;
    EXPECT_EQ(r.error().details, "metadata");
    auto u = rows().update_rows(as(alice_), by_title("alpha"), {{C::metadata, json(meta)}}, {},
                                kT0 + 9);
    ASSERT_EQ(code_of(u), Errc::invalid_input) << meta;
    EXPECT_EQ(u.error().public_code, ErrorCode::check_violation);
  }
  EXPECT_EQ(row_by_id(alpha_.id)->metadata_json, "{\"k\":1}");
  EXPECT_EQ(everything().size(), 5u);
}

TEST_P(ItemRowsContract, TitleIsAtMost255Characters) {
  auto r = rows().insert_rows(as(alice_), {row_of(std::string(256, 'x'), "c")}, std::nullopt, {},
                              kT0);
  ASSERT_EQ(code_of(r), Errc::invalid_input);
  EXPECT_EQ(r.error().public_code, ErrorCode::value_too_long);
  EXPECT_EQ(r.error().details, "title");
  // Characters, not bytes.
  std::string wide;
  for (int i = 0; i < 255; ++i) wide += "\xC3\xA9";
  r = rows().insert_rows(as(alice_), {row_of(wide, "c")}, std::nullopt, {}, kT0);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  // varchar(255) cuts excess spaces (SQL standard) instead of refusing them.
  r = rows().insert_rows(as(alice_), {row_of(std::string(255, 'y') + "   ", "c")}, std::nullopt,
                         {}, kT0);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->rows[0].title, std::string(255, 'y'));
  EXPECT_EQ(row_by_id(r->rows[0].id)->title, std::string(255, 'y'));
  // PostgreSQL coerces the bound title while planning: an update fails even if it matches
  // nothing, and an insert before any row's other checks.
  for (const FilterGroup& w : {by_title("nothing"), by_title("alpha")}) {
    auto u = rows().update_rows(as(alice_), w, {{C::title, text(std::string(300, 'z'))}}, {}, kT0);
    ASSERT_EQ(code_of(u), Errc::invalid_input);
    EXPECT_EQ(u.error().public_code, ErrorCode::value_too_long);
  }
  ItemValues no_content = {{C::title, text("t")}};
  r = rows().insert_rows(as(alice_), {no_content, row_of(std::string(300, 'z'), "c")},
                         std::nullopt, {}, kT0);
  ASSERT_EQ(code_of(r), Errc::invalid_input);
  EXPECT_EQ(r.error().public_code, ErrorCode::value_too_long);
  EXPECT_EQ(row_by_id(alpha_.id)->title, "alpha");
}

TEST_P(ItemRowsContract, UpsertMergeSetsOnlyTheSuppliedColumns) {
  ItemValues existing = row_of("alpha2", "c2");
  existing[C::id] = uuid(alpha_.id.v);
  ItemValues fresh = row_of("fresh", "c3");
  auto r = rows().insert_rows(as(alice_), {existing, fresh}, Upsert{}, {}, kT0 + 50);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->rows[0].id, alpha_.id);
  EXPECT_EQ(r->rows[0].title, "alpha2");
  EXPECT_EQ(r->rows[1].title, "fresh");
  auto merged = row_by_id(alpha_.id);
  ASSERT_TRUE(merged.has_value());
  EXPECT_EQ(merged->title, "alpha2");
  EXPECT_EQ(merged->content, "c2");
  EXPECT_EQ(merged->metadata_json, "{\"k\":1}") << "not supplied: unchanged";
  EXPECT_EQ(merged->created_at, kT0 + 1) << "not supplied: unchanged";
  EXPECT_EQ(merged->updated_at, kT0 + 50);
  EXPECT_EQ(*merged, r->rows[0]);
  EXPECT_EQ(everything().size(), 6u);
}

TEST_P(ItemRowsContract, UpsertChecksTheProposedRowFirst) {
  // As PostgreSQL does: the row proposed for insertion must satisfy NOT NULL even when it
  // ends up updating an existing row.
  ItemValues title_only = {{C::id, uuid(alpha_.id.v)}, {C::title, text("x")}};
  auto r = rows().insert_rows(as(alice_), {title_only}, Upsert{}, {}, kT0 + 50);
  ASSERT_EQ(code_of(r), Errc::invalid_input);
  EXPECT_EQ(r.error().details, "content");
  EXPECT_EQ(row_by_id(alpha_.id)->title, "alpha");
}

TEST_P(ItemRowsContract, UpsertIgnoreSkipsExistingRows) {
  ItemValues existing = row_of("ignored", "c");
  existing[C::id] = uuid(alpha_.id.v);
  auto r = rows().insert_rows(as(alice_), {existing, row_of("fresh", "c")},
                              Upsert{{C::id}, true}, {}, kT0 + 50);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0].title, "fresh");
  EXPECT_EQ(*row_by_id(alpha_.id), alpha_);
}

TEST_P(ItemRowsContract, UpsertOntoAnotherUsersRowIsForbiddenAndChangesNothing) {
  ItemValues theirs = row_of("pwned", "c");
  theirs[C::id] = uuid(bobs_.id.v);
  auto r = rows().insert_rows(as(alice_), {row_of("fresh", "c"), theirs}, Upsert{}, {}, kT0 + 50);
  ASSERT_EQ(code_of(r), Errc::forbidden);
  EXPECT_EQ(r.error().public_code, ErrorCode::row_security_violation);
  EXPECT_EQ(*row_by_id(bobs_.id), bobs_);
  EXPECT_EQ(everything().size(), 5u) << "the other row was not inserted either";
  // DO NOTHING skips it, as PostgreSQL does, and tells nothing more.
  r = rows().insert_rows(as(alice_), {theirs}, Upsert{{C::id}, true}, {}, kT0 + 50);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_TRUE(r->rows.empty());
  EXPECT_EQ(*row_by_id(bobs_.id), bobs_);
}

TEST_P(ItemRowsContract, UpsertTouchingOneRowTwiceIsRefused) {
  const core::Uuid id = core::Uuid::random_v4();
  ItemValues a = row_of("a", "c"), b = row_of("b", "c");
  a[C::id] = uuid(id);
  b[C::id] = uuid(id);
  auto r = rows().insert_rows(as(alice_), {a, b}, Upsert{}, {}, kT0);
  ASSERT_EQ(code_of(r), Errc::invalid_input);
  EXPECT_EQ(r.error().public_message(),
            "ON CONFLICT DO UPDATE command cannot affect row a second time");
  EXPECT_EQ(everything().size(), 5u);
  r = rows().insert_rows(as(alice_), {a, b}, Upsert{{C::id}, true}, {}, kT0);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0].title, "a");
}

TEST_P(ItemRowsContract, UpdateByFilterChangesOnlyTheCallersRows) {
  auto r = rows().update_rows(as(alice_), by_title("alpha"), {{C::content, text("changed")}}, {},
                              kT0 + 50);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->rows.size(), 1u) << "bob's alpha is not alice's to see";
  EXPECT_EQ(r->rows[0].id, alpha_.id);
  EXPECT_EQ(r->rows[0].content, "changed");
  EXPECT_EQ(r->rows[0].title, "alpha");
  EXPECT_EQ(r->rows[0].updated_at, kT0 + 50);
  EXPECT_EQ(*row_by_id(alpha_.id), r->rows[0]);
  EXPECT_EQ(*row_by_id(bobs_.id), bobs_);
  // bob's row, named by id, is silently not there.
  r = rows().update_rows(as(alice_), where(cmp(C::id, Op::eq, {uuid(bobs_.id.v)})),
                         {{C::title, text("pwned")}}, {}, kT0 + 50);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->rows.empty());
  EXPECT_EQ(*row_by_id(bobs_.id), bobs_);
}

TEST_P(ItemRowsContract, UpdatedAtAdvancesAsForItems) {
  // A clock behind the row still moves updated_at forward by 1us; a set value is kept only
  // if it is later.
  auto r = rows().update_rows(as(alice_), by_title("gamma_3"), {{C::title, text("g")}}, {}, kT0);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->rows[0].updated_at, kT0 + 4);
  r = rows().update_rows(as(alice_), by_title("g"), {{C::updated_at, at(kT0 + 1000)}}, {}, kT0);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->rows[0].updated_at, kT0 + 1000);
  r = rows().update_rows(as(alice_), by_title("g"), {{C::updated_at, std::nullopt}}, {}, kT0);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->rows[0].updated_at, kT0 + 1001);
  EXPECT_EQ(row_by_id(gamma_.id)->updated_at, kT0 + 1001);
}

TEST_P(ItemRowsContract, UpdateResultsAreOrderedByIdAndMayChangeAnId) {
  auto r = rows().update_rows(as(alice_), where(is(C::metadata, IsValue::null)),
                              {{C::metadata, json("{\"set\":true}")}}, {}, kT0 + 50);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_LT(r->rows[0].id.v, r->rows[1].id.v);
  EXPECT_EQ(r->rows[0].metadata_json, "{\"set\":true}");
  const ItemId moved{core::Uuid::random_v4()};
  r = rows().update_rows(as(alice_), by_title("Beta"), {{C::id, uuid(moved.v)}}, {}, kT0 + 60);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0].id, moved);
  EXPECT_EQ(row_by_id(moved)->title, "Beta");
  EXPECT_FALSE(row_by_id(beta_.id).has_value());
  // Onto a taken id: the key refuses it.
  r = rows().update_rows(as(alice_), by_title("Beta"), {{C::id, uuid(bobs_.id.v)}}, {}, kT0 + 70);
  ASSERT_EQ(code_of(r), Errc::conflict);
  EXPECT_EQ(r.error().details, "Key (id)=(" + bobs_.id.str() + ") already exists.");
}

TEST_P(ItemRowsContract, DeleteByFilterRemovesOnlyTheCallersRows) {
  auto r = rows().delete_rows(as(alice_), by_title("alpha"), {});
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0], alpha_) << "as it was before";
  EXPECT_FALSE(row_by_id(alpha_.id).has_value());
  EXPECT_EQ(*row_by_id(bobs_.id), bobs_);
  r = rows().delete_rows(as(alice_), everything_filter(), {});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->rows.size(), 3u);
  ASSERT_EQ(everything().size(), 1u);
  EXPECT_EQ(everything()[0], bobs_);
}

TEST_P(ItemRowsContract, SingleRollsBackUnlessExactlyOneRow) {
  WriteOptions single;
  single.single = true;
  const auto before = everything();
  // Update: none, two (rolled back), one (kept).
  auto r = rows().update_rows(as(alice_), by_title("nothing"), {{C::content, text("x")}}, single,
                              kT0 + 50);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_TRUE(r->rolled_back);
  EXPECT_TRUE(r->rows.empty());
  const auto two = where(cmp(C::title, Op::in, {text("alpha"), text("Beta")}));
  r = rows().update_rows(as(alice_), two, {{C::content, text("x")}}, single, kT0 + 50);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->rolled_back);
  EXPECT_EQ(r->rows.size(), 2u) << "the rows it would have changed";
  EXPECT_EQ(everything(), before) << "nothing changed";
  // Delete and insert of two rows.
  r = rows().delete_rows(as(alice_), two, single);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->rolled_back);
  r = rows().insert_rows(as(alice_), {row_of("a", "c"), row_of("b", "c")}, std::nullopt, single,
                         kT0);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->rolled_back);
  EXPECT_EQ(everything(), before) << "nothing changed";
  // Exactly one: kept.
  r = rows().update_rows(as(alice_), by_title("alpha"), {{C::content, text("x")}}, single,
                         kT0 + 50);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->rolled_back);
  EXPECT_EQ(row_by_id(alpha_.id)->content, "x");
  r = rows().insert_rows(as(alice_), {row_of("one", "c")}, std::nullopt, single, kT0);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->rolled_back);
  r = rows().delete_rows(as(alice_), by_title("one"), single);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->rolled_back);
  EXPECT_EQ(everything().size(), before.size());
}

TEST_P(ItemRowsContract, MaxAffectedRollsBackWritesOverTheLimit) {
  WriteOptions at_most_one;
  at_most_one.max_affected = 1;
  const auto before = everything();
  const auto two = where(cmp(C::title, Op::in, {text("alpha"), text("Beta")}));
  auto r = rows().update_rows(as(alice_), two, {{C::content, text("x")}}, at_most_one, kT0 + 50);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_TRUE(r->rolled_back);
  EXPECT_EQ(r->rows.size(), 2u);
  r = rows().delete_rows(as(alice_), two, at_most_one);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->rolled_back);
  r = rows().insert_rows(as(alice_), {row_of("a", "c"), row_of("b", "c")}, std::nullopt,
                         at_most_one, kT0);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->rolled_back);
  EXPECT_EQ(everything(), before) << "nothing changed";
  // None and one are within the limit.
  r = rows().update_rows(as(alice_), by_title("nothing"), {{C::content, text("x")}}, at_most_one,
                         kT0 + 50);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->rolled_back);
  r = rows().delete_rows(as(alice_), by_title("alpha"), at_most_one);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->rolled_back);
  EXPECT_EQ(everything().size(), before.size() - 1);
}

}  // namespace
}  // namespace latchkey::store::testing
