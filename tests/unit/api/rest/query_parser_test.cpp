#include "api/rest/query_parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "describe.hpp"

namespace latchkey::api::rest {
namespace {

using testing::describe;

constexpr const char* kUuid = "0b6c5e2a-1111-4222-8333-444455556666";
constexpr const char* kUuid2 = "ffffffff-0000-4000-8000-000000000001";

std::string where_of(std::string_view query) {
  auto r = parse_query(query);
  if (!r) return "error: " + std::string(r.error().public_message());
  return describe(r->query.where);
}

// The captured supabase-js requests of shared/reference/supabase-wire.md section 8.1.
TEST(RestQuery, CapturedExamplesParse) {
  {
    auto r = parse_query("select=*&title=eq.beta");
    ASSERT_TRUE(r) << r.error().public_message();
    EXPECT_EQ(r->select, all_columns());
    EXPECT_EQ(describe(r->query.where), "and(title.eq('beta'))");
  }
  {
    auto r = parse_query(
        "select=id%2Ctitle&title=in.%28k1%2C%22a%2Cb%22%29&metadata=is.null&title=ilike.K%25"
        "&order=created_at.desc.nullslast%2Ctitle.asc&offset=0&limit=2");
    ASSERT_TRUE(r) << r.error().public_message();
    EXPECT_EQ(r->select, (std::vector<SelectItem>{{store::ItemColumn::id, "id"},
                                                  {store::ItemColumn::title, "title"}}));
    EXPECT_EQ(describe(r->query.where),
              "and(title.in('k1','a,b'),metadata.is(null),title.ilike('K%'))");
    EXPECT_EQ(describe(r->query.order), "created_at.desc.nullslast,title.asc");
    EXPECT_EQ(r->query.offset, 0);
    EXPECT_EQ(r->query.limit, 2);
  }
  {
    auto r = parse_query("columns=%22title%22%2C%22content%22%2C%22metadata%22&select=*");
    ASSERT_TRUE(r) << r.error().public_message();
    EXPECT_EQ(r->columns, (std::vector<store::ItemColumn>{
                              store::ItemColumn::title, store::ItemColumn::content,
                              store::ItemColumn::metadata}));
    EXPECT_EQ(r->select, all_columns());
  }
  {
    auto r = parse_query(std::string("id=eq.") + kUuid + "&select=*");
    ASSERT_TRUE(r) << r.error().public_message();
    EXPECT_EQ(describe(r->query.where), std::string("and(id.eq(uuid:") + kUuid + "))");
  }
  EXPECT_EQ(where_of(std::string("id=eq.") + kUuid),
            std::string("and(id.eq(uuid:") + kUuid + "))");
}

TEST(RestQuery, FiltersParseToTypedComparisons) {
  struct Case {
    std::string query;
    std::string where;
  };
  const std::string u = kUuid, u2 = kUuid2;
  const Case cases[] = {
      {"", "and()"},
      {"title=eq.beta", "and(title.eq('beta'))"},
      {"title=neq.beta", "and(title.neq('beta'))"},
      {"title=gt.b", "and(title.gt('b'))"},
      {"title=gte.b", "and(title.gte('b'))"},
      {"title=lt.b", "and(title.lt('b'))"},
      {"title=lte.b", "and(title.lte('b'))"},
      {"title=like.*a_b*", "and(title.like('%a_b%'))"},
      {"content=ilike.K%25", "and(content.ilike('K%'))"},
      {"title=isdistinct.x", "and(title.isdistinct('x'))"},
      // A simple operator's value is the rest of the text, verbatim.
      {"title=eq.a.b.c", "and(title.eq('a.b.c'))"},
      {"title=eq.%22quoted%22", "and(title.eq('\"quoted\"'))"},
      {"title=eq.a,b)", "and(title.eq('a,b)'))"},
      {"title=eq.", "and(title.eq(''))"},
      {"title=eq.a+b", "and(title.eq('a b'))"},
      {"title=eq.%2B", "and(title.eq('+'))"},
      {"title=eq.%C3%A9t%C3%A9", "and(title.eq('\xC3\xA9t\xC3\xA9'))"},
      {"title=not.eq.x", "and(not.title.eq('x'))"},
      {"title=not.like.a*", "and(not.title.like('a%'))"},
      {"title=in.(a,b)", "and(title.in('a','b'))"},
      {"title=not.in.(a,b)", "and(not.title.in('a','b'))"},
      {"title=in.()", "and(title.in())"},
      {"title=in.(%22%22)", "and(title.in())"},  // PostgREST reads one empty element as none
      {"title=in.(a,)", "and(title.in('a',''))"},
      {"title=in.(%22a,b%22,c)", "and(title.in('a,b','c'))"},
      {"title=in.(%22a%5C%22b%22,%22c%5C%5Cd%22)", "and(title.in('a\"b','c\\d'))"},
      {"title=in.(%22a)b%22)", "and(title.in('a)b'))"},
      {"title=in.(%22ab%22c,d)", "and(title.in('\"ab\"c','d'))"},  // a quote mid-value is text
      {"title=in.(%22open,d)", "and(title.in('\"open','d'))"},    // never closed: text
      {"title=in.(+a,+b+)", "and(title.in('a',' b '))"},
      {"title=in.+(a)+", "and(title.in('a'))"},
      {"title=is.null", "and(title.is(null))"},
      {"title=is.NULL", "and(title.is(null))"},
      {"title=is.not_null", "and(title.is(not_null))"},
      {"metadata=is.null", "and(metadata.is(null))"},
      {"metadata=not.is.null", "and(not.metadata.is(null))"},
      {"id=eq." + u, "and(id.eq(uuid:" + u + "))"},
      {"id=eq.0B6C5E2A-1111-4222-8333-444455556666", "and(id.eq(uuid:" + u + "))"},
      {"user_id=in.(" + u + "," + u2 + ")", "and(user_id.in(uuid:" + u + ",uuid:" + u2 + "))"},
      {"id=isdistinct." + u, "and(id.isdistinct(uuid:" + u + "))"},
      {"created_at=gte.2025-01-01", "and(created_at.gte(ts:1735689600000000))"},
      {"updated_at=lt.2025-01-01T12:00:00.5%2B02:00", "and(updated_at.lt(ts:1735725600500000))"},
      {"created_at=in.(2025-01-01,2025-01-01T00:00:01Z)",
       "and(created_at.in(ts:1735689600000000,ts:1735689601000000))"},
      {"metadata=eq.%7B%22b%22:1,%22a%22:%5B1,2%5D%7D", "and(metadata.eq(json:{\"a\":[1,2],\"b\":1}))"},
      {"metadata=eq.%7B+%22a%22+:+1+%7D", "and(metadata.eq(json:{\"a\":1}))"},
      {"metadata=neq.null", "and(metadata.neq(json:null))"},
      {"metadata=isdistinct.%7B%7D", "and(metadata.isdistinct(json:{}))"},
      {"title=eq.a&title=neq.b", "and(title.eq('a'),title.neq('b'))"},
      {"%22title%22=eq.a", "and(title.eq('a'))"},
      {"+title+=eq.a", "and(title.eq('a'))"},
      {"apikey=anon-key&title=eq.a", "and(title.eq('a'))"},
      {"a=eq.1&&title=eq.a&", "error: column user_data.a does not exist"},
  };
  for (const auto& c : cases) EXPECT_EQ(where_of(c.query), c.where) << c.query;
}

TEST(RestQuery, LogicTreesNestAndNegate) {
  struct Case {
    std::string query;
    std::string where;
  };
  const Case cases[] = {
      {"or=(title.eq.a,title.eq.b)", "and(or(title.eq('a'),title.eq('b')))"},
      {"and=(title.eq.a,content.eq.b)", "and(and(title.eq('a'),content.eq('b')))"},
      {"not.or=(title.eq.a,title.eq.b)", "and(not.or(title.eq('a'),title.eq('b')))"},
      {"not.and=(title.eq.a,title.eq.b)", "and(not.and(title.eq('a'),title.eq('b')))"},
      {"or=(title.eq.a,and(title.gt.b,title.lt.c))",
       "and(or(title.eq('a'),and(title.gt('b'),title.lt('c'))))"},
      {"or=(title.eq.a,not.and(title.gt.b,title.lt.c))",
       "and(or(title.eq('a'),not.and(title.gt('b'),title.lt('c'))))"},
      {"or=(and(or(title.eq.a,title.eq.b),content.eq.c),not.or(id.is.null))",
       "and(or(and(or(title.eq('a'),title.eq('b')),content.eq('c')),not.or(id.is(null))))"},
      {"or=(title.eq.%22a,b%22,title.eq.%22x)y%22)", "and(or(title.eq('a,b'),title.eq('x)y')))"},
      {"or=(title.eq.%22a%5C%22b%22)", "and(or(title.eq('a\"b')))"},
      {"or=(title.eq.%22ab%22c)", "and(or(title.eq('\"ab\"c')))"},
      {"or=(title.in.(a,%22b,c%22),title.is.null)",
       "and(or(title.in('a','b,c'),title.is(null)))"},
      {"or=(title.in.())", "and(or(title.in()))"},
      {"or=(title.not.eq.a,title.not.is.null)", "and(or(not.title.eq('a'),not.title.is(null)))"},
      {"or=(title.like.*x*,title.ilike.y*)", "and(or(title.like('%x%'),title.ilike('y%')))"},
      {"or=(+title.eq.a+,+title.eq.b+)", "and(or(title.eq('a '),title.eq('b ')))"},
      {"or=+(title.eq.a)+", "and(or(title.eq('a')))"},
      {"or=(and+(title.eq.a))", "and(or(and(title.eq('a'))))"},
      {"or=(metadata.eq.%7B%22a%22:1,%22b%22:2%7D)", "and(or(metadata.eq(json:{\"a\":1,\"b\":2})))"},
      {"or=(title.eq.%7Ba,b%7D)", "and(or(title.eq('{a,b}')))"},
      {"or=(title.eq.a.b)", "and(or(title.eq('a.b')))"},
      {"or=(created_at.gt.2025-01-01T00:00:00.5Z)", "and(or(created_at.gt(ts:1735689600500000)))"},
      {"or=(%22title%22.eq.a)", "and(or(title.eq('a')))"},
      {"or=(title.eq.a)&or=(title.eq.b)", "and(or(title.eq('a')),or(title.eq('b')))"},
      {"title=eq.x&or=(title.eq.a)&content=eq.y",
       "and(title.eq('x'),or(title.eq('a')),content.eq('y'))"},
      {"or=", "and()"},  // empty: ignored, as PostgREST's nonemptyParams
      {"or", "and()"},
  };
  for (const auto& c : cases) EXPECT_EQ(where_of(c.query), c.where) << c.query;
}

TEST(RestQuery, SelectListsColumnsInGivenOrder) {
  using store::ItemColumn;
  struct Case {
    std::string query;
    std::vector<SelectItem> select;
  };
  const Case cases[] = {
      {"", all_columns()},
      {"select", all_columns()},
      {"select=*", all_columns()},
      {"select=+*+", all_columns()},
      {"select=title,id", {{ItemColumn::title, "title"}, {ItemColumn::id, "id"}}},
      {"select=+id+,+title+", {{ItemColumn::id, "id"}, {ItemColumn::title, "title"}}},
      {"select=%22title%22", {{ItemColumn::title, "title"}}},
      {"select=name:title,id", {{ItemColumn::title, "name"}, {ItemColumn::id, "id"}}},
      {"select=%22my+name%22:title", {{ItemColumn::title, "my name"}}},
      {"select=title,title", {{ItemColumn::title, "title"}, {ItemColumn::title, "title"}}},
  };
  for (const auto& c : cases) {
    auto r = parse_query(c.query);
    ASSERT_TRUE(r) << c.query << ": " << r.error().public_message();
    EXPECT_EQ(r->select, c.select) << c.query;
  }
  auto star_and_more = parse_query("select=*,title");
  ASSERT_TRUE(star_and_more);
  EXPECT_EQ(star_and_more->select.size(), 8u);
  EXPECT_EQ(star_and_more->select.back(), (SelectItem{ItemColumn::title, "title"}));
}

TEST(RestQuery, OrderTermsKeepDirectionAndNulls) {
  struct Case {
    std::string query;
    std::string order;
  };
  const Case cases[] = {
      {"", ""},
      {"order=", ""},
      {"order=title", "title.asc"},
      {"order=title.asc", "title.asc"},
      {"order=title.desc", "title.desc"},
      {"order=title.nullsfirst", "title.asc.nullsfirst"},
      {"order=title.desc.nullsfirst", "title.desc.nullsfirst"},
      {"order=created_at.desc.nullslast,title.asc", "created_at.desc.nullslast,title.asc"},
      {"order=+title.desc+,+id+", "title.desc,id.asc"},
      {"order=%22title%22.desc", "title.desc"},
      {"order=metadata.desc.nullslast", "metadata.desc.nullslast"},
      {"order=id,id.desc", "id.asc,id.desc"},
  };
  for (const auto& c : cases) {
    auto r = parse_query(c.query);
    ASSERT_TRUE(r) << c.query << ": " << r.error().public_message();
    EXPECT_EQ(describe(r->query.order), c.order) << c.query;
  }
}

TEST(RestQuery, ColumnsAndOnConflict) {
  using store::ItemColumn;
  auto r = parse_query("columns=title,+content+,title&on_conflict=id");
  ASSERT_TRUE(r) << r.error().public_message();
  EXPECT_EQ(r->columns, (std::vector<ItemColumn>{ItemColumn::title, ItemColumn::content}));
  EXPECT_EQ(r->on_conflict, (std::vector<ItemColumn>{ItemColumn::id}));
  auto none = parse_query("select=*");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->columns);
  EXPECT_FALSE(none->on_conflict);
}

}  // namespace
}  // namespace latchkey::api::rest
