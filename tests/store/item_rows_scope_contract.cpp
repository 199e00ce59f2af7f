// ItemRowStore contract: what each scope (anon, authenticated, service_role) may see and
// write, and the queries every backend refuses alike.
#include "item_rows_contract.hpp"

namespace latchkey::store::testing {
namespace {

using C = ItemColumn;
using Op = FilterOp;
using Titles = std::vector<std::string>;

ItemValues row_of(std::string title, std::string content) {
  return {{C::title, text(std::move(title))}, {C::content, text(std::move(content))}};
}

TEST_P(ItemRowsContract, EachUserSeesOnlyTheirOwnRows) {
  EXPECT_EQ(title_set(as(alice_), everything_filter()),
            (Titles{"Beta", "alpha", "delta\\x", "gamma_3"}));
  EXPECT_EQ(title_set(as(bob_), everything_filter()), Titles{"alpha"});
  // A filter naming the other user does not reach past the policy.
  EXPECT_EQ(title_set(as(alice_), where(cmp(C::user_id, Op::eq, {uuid(bob_.v)}))), Titles{});
  ItemQuery count_all;
  count_all.count = true;
  EXPECT_EQ(rows().select_rows(as(bob_), count_all)->total, 1);
  const UserId nobody{core::Uuid::random_v4()};
  EXPECT_EQ(title_set(as(nobody), everything_filter()), Titles{});
}

TEST_P(ItemRowsContract, AnonSeesNothingAndWritesNothing) {
  ItemQuery q;
  q.count = true;
  auto r = rows().select_rows(kAnon, q);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_TRUE(r->rows.empty());
  EXPECT_EQ(r->total, 0);
  const auto before = everything();
  auto ins = rows().insert_rows(kAnon, {row_of("a", "c")}, std::nullopt, {}, kT0);
  ASSERT_EQ(code_of(ins), Errc::forbidden);
  EXPECT_EQ(ins.error().public_code, ErrorCode::row_security_violation);
  ItemValues owned = row_of("a", "c");
  owned[C::user_id] = uuid(alice_.v);
  EXPECT_EQ(code_of(rows().insert_rows(kAnon, {owned}, Upsert{}, {}, kT0)), Errc::forbidden);
  auto upd = rows().update_rows(kAnon, everything_filter(), {{C::title, text("x")}}, {}, kT0);
  ASSERT_TRUE(upd.has_value()) << upd.error().detail;
  EXPECT_TRUE(upd->rows.empty());
  auto del = rows().delete_rows(kAnon, everything_filter(), {});
  ASSERT_TRUE(del.has_value()) << del.error().detail;
  EXPECT_TRUE(del->rows.empty());
  EXPECT_EQ(everything(), before);
}

TEST_P(ItemRowsContract, AUserCannotWriteARowForAnother) {
  ItemValues for_bob = row_of("planted", "c");
  for_bob[C::user_id] = uuid(bob_.v);
  auto r = rows().insert_rows(as(alice_), {row_of("fine", "c"), for_bob}, std::nullopt, {}, kT0);
  ASSERT_EQ(code_of(r), Errc::forbidden);
  EXPECT_EQ(r.error().public_code, ErrorCode::row_security_violation);
  // A NULL user_id is refused by the policy before NOT NULL is looked at.
  ItemValues for_nobody = row_of("planted", "c");
  for_nobody[C::user_id] = std::nullopt;
  EXPECT_EQ(code_of(rows().insert_rows(as(alice_), {for_nobody}, std::nullopt, {}, kT0)),
            Errc::forbidden);
  // Nor hand a row over.
  auto u = rows().update_rows(as(alice_), where(cmp(C::title, Op::eq, {text("alpha")})),
                              {{C::user_id, uuid(bob_.v)}}, {}, kT0 + 9);
  ASSERT_EQ(code_of(u), Errc::forbidden);
  EXPECT_EQ(u.error().public_code, ErrorCode::row_security_violation);
  EXPECT_EQ(*row_by_id(alpha_.id), alpha_);
  EXPECT_EQ(everything().size(), 5u);
}

TEST_P(ItemRowsContract, ServiceRoleSeesAndWritesEveryRow) {
  EXPECT_EQ(title_set(kService, everything_filter()),
            (Titles{"Beta", "alpha", "alpha", "delta\\x", "gamma_3"}));
  ItemValues for_bob = row_of("from admin", "c");
  for_bob[C::user_id] = uuid(bob_.v);
  auto r = rows().insert_rows(kService, {for_bob}, std::nullopt, {}, kT0 + 9);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->rows[0].user_id, bob_);
  EXPECT_EQ(title_set(as(bob_), everything_filter()), (Titles{"alpha", "from admin"}));
  // Updates and deletes cross users; a row may be handed over.
  auto u = rows().update_rows(kService, where(cmp(C::title, Op::eq, {text("alpha")})),
                              {{C::content, text("both")}}, {}, kT0 + 10);
  ASSERT_TRUE(u.has_value()) << u.error().detail;
  EXPECT_EQ(u->rows.size(), 2u);
  u = rows().update_rows(kService, where(cmp(C::id, Op::eq, {uuid(beta_.id.v)})),
                         {{C::user_id, uuid(bob_.v)}}, {}, kT0 + 11);
  ASSERT_TRUE(u.has_value()) << u.error().detail;
  EXPECT_EQ(row_by_id(beta_.id)->user_id, bob_);
  // Upsert onto anyone's row.
  ItemValues over = row_of("merged", "m");
  over[C::id] = uuid(bobs_.id.v);
  over[C::user_id] = uuid(bob_.v);  // no caller to default to
  auto m = rows().insert_rows(kService, {over}, Upsert{}, {}, kT0 + 12);
  ASSERT_TRUE(m.has_value()) << m.error().detail;
  EXPECT_EQ(row_by_id(bobs_.id)->title, "merged");
  EXPECT_EQ(row_by_id(bobs_.id)->user_id, bob_);
  auto d = rows().delete_rows(kService, where(cmp(C::content, Op::eq, {text("both")})), {});
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->rows.size(), 1u) << "bob's alpha was merged into another content";
  EXPECT_EQ(everything().size(), 5u);
}

TEST_P(ItemRowsContract, ServiceRoleMustNameAUserThatExists) {
  auto r = rows().insert_rows(kService, {row_of("orphan", "c")}, std::nullopt, {}, kT0);
  ASSERT_EQ(code_of(r), Errc::invalid_input) << "no caller to default to";
  EXPECT_EQ(r.error().public_code, ErrorCode::not_null_violation);
  EXPECT_EQ(r.error().details, "user_id");
  const core::Uuid ghost = core::Uuid::random_v4();
  ItemValues for_ghost = row_of("orphan", "c");
  for_ghost[C::user_id] = uuid(ghost);
  r = rows().insert_rows(kService, {for_ghost, row_of("later", "c")}, std::nullopt, {}, kT0);
  ASSERT_EQ(code_of(r), Errc::invalid_input) << "a later row's NOT NULL comes first";
  r = rows().insert_rows(kService, {for_ghost}, std::nullopt, {}, kT0);
  ASSERT_EQ(code_of(r), Errc::conflict);
  EXPECT_EQ(r.error().public_code, ErrorCode::foreign_key_violation);
  EXPECT_EQ(r.error().details,
            "Key (user_id)=(" + ghost.str() + ") is not present in table \"users\".");
  auto u = rows().update_rows(kService, where(cmp(C::id, Op::eq, {uuid(alpha_.id.v)})),
                              {{C::user_id, uuid(ghost)}}, {}, kT0);
  EXPECT_EQ(code_of(u), Errc::conflict);
  EXPECT_EQ(everything().size(), 5u);
  EXPECT_EQ(*row_by_id(alpha_.id), alpha_);
}

TEST_P(ItemRowsContract, QueriesNoBackendCanAnswerAlikeAreRefused) {
  struct Bad {
    const char* name;
    FilterGroup where;
    ErrorCode code;
  };
  const std::vector<Bad> cases = {
      {"like on a uuid", where(cmp(C::id, Op::like, {text("a%")})), ErrorCode::undefined_function},
      {"ilike on a timestamp", where(cmp(C::created_at, Op::ilike, {text("2%")})),
       ErrorCode::undefined_function},
      {"order comparison on jsonb", where(cmp(C::metadata, Op::gt, {json("{}")})),
       ErrorCode::undefined_function},
      {"is.true on text", where(is(C::title, IsValue::true_)), ErrorCode::datatype_mismatch},
      {"a pattern ending in an escape", where(cmp(C::title, Op::like, {text("abc\\")})),
       ErrorCode::validation_failed},
      {"a literal of the wrong type", where(cmp(C::id, Op::eq, {text("x")})),
       ErrorCode::validation_failed},
      {"no value", where(cmp(C::title, Op::eq, {})), ErrorCode::validation_failed},
  };
  for (const auto& c : cases) {
    for (const DataScope& scope : {as(alice_), kAnon, kService}) {
      auto r = rows().select_rows(scope, query_of(c.where));
      ASSERT_EQ(code_of(r), Errc::invalid_input) << c.name;
      EXPECT_EQ(r.error().public_code, c.code) << c.name;
      EXPECT_EQ(code_of(rows().update_rows(scope, c.where, {{C::title, text("x")}}, {}, kT0)),
                Errc::invalid_input)
          << c.name;
      EXPECT_EQ(code_of(rows().delete_rows(scope, c.where, {})), Errc::invalid_input) << c.name;
    }
  }
  ItemQuery negative;
  negative.limit = -1;
  EXPECT_EQ(code_of(rows().select_rows(as(alice_), negative)), Errc::invalid_input);
  negative.limit.reset();
  negative.offset = -1;
  EXPECT_EQ(code_of(rows().select_rows(as(alice_), negative)), Errc::invalid_input);
  auto target = rows().insert_rows(as(alice_), {row_of("a", "c")}, Upsert{{C::title}, false}, {},
                                   kT0);
  ASSERT_EQ(code_of(target), Errc::invalid_input);
  EXPECT_EQ(target.error().public_code, ErrorCode::invalid_conflict_target);
  // Text PostgreSQL cannot hold, in a filter or a value.
  const std::string nul("a\0b", 3);
  EXPECT_EQ(code_of(rows().select_rows(as(alice_), query_of(where(cmp(C::title, Op::eq, {text(nul)}))))),
            Errc::invalid_input);
  EXPECT_EQ(code_of(rows().insert_rows(as(alice_), {row_of(nul, "c")}, std::nullopt, {}, kT0)),
            Errc::invalid_input);
  ItemValues nul_json = row_of("t", "c");
  nul_json[C::metadata] = json("{\"k\":\"\\u0000\"}");
  EXPECT_EQ(code_of(rows().insert_rows(as(alice_), {nul_json}, std::nullopt, {}, kT0)),
            Errc::invalid_input);
  EXPECT_EQ(everything().size(), 5u);
}

TEST_P(ItemRowsContract, AnEmptyInsertWritesNothing) {
  auto r = rows().insert_rows(as(alice_), {}, std::nullopt, {}, kT0);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_TRUE(r->rows.empty());
  EXPECT_EQ(everything().size(), 5u);
}

}  // namespace
}  // namespace latchkey::store::testing
