// Every malformed or refused query form, with the code PostgREST (or PostgreSQL behind it)
// would answer and, where it matters, the message and details.
#include <gtest/gtest.h>

#include <string>

#include "api/rest/query_parser.hpp"

namespace latchkey::api::rest {
namespace {

struct Case {
  std::string query;
  ErrorCode code;
  std::string message;  // exact when not empty
  std::string details;  // substring when not empty
};

void expect_error(const Case& c) {
  auto r = parse_query(c.query);
  ASSERT_FALSE(r) << c.query << " parsed";
  EXPECT_EQ(r.error().public_code, c.code)
      << c.query << ": " << error_code_name(r.error().public_code) << " "
      << r.error().public_message();
  if (!c.message.empty()) {
    EXPECT_EQ(r.error().public_message(), c.message) << c.query;
  }
  if (!c.details.empty()) {
    EXPECT_NE(r.error().details.find(c.details), std::string::npos)
        << c.query << ": details " << r.error().details;
  }
}

constexpr auto kParse = ErrorCode::query_parse_failed;

TEST(RestQueryErrors, FilterSyntaxIsPgrst100WithPosition) {
  const Case cases[] = {
      {"title=noop.0", kParse, R"x("failed to parse filter (noop.0)" (line 1, column 6))x",
       "unknown single value operator noop"},
      {"title=eq", kParse, R"x("failed to parse filter (eq)" (line 1, column 3))x",
       "unexpected end of input expecting delimiter (.)"},
      {"title=", kParse, R"x("failed to parse filter ()" (line 1, column 1))x",
       "unexpected end of input expecting operator (eq, neq"},
      {"title", kParse, R"x("failed to parse filter ()" (line 1, column 1))x", ""},
      {"title=beta", kParse, "", "expecting delimiter (.)"},
      {"title=EQ.a", kParse, "", "unknown single value operator EQ"},
      {"title=.a", kParse, R"x("failed to parse filter (.a)" (line 1, column 1))x",
       "unexpected \".\" expecting operator"},
      {"title=not.", kParse, R"x("failed to parse filter (not.)" (line 1, column 5))x", ""},
      {"title=not.not.eq.1", kParse, "", "unknown single value operator not"},
      {"title=cs.%7Ba%7D", kParse, R"x("failed to parse filter (cs.{a})" (line 1, column 4))x",
       "operator cs is not supported on user_data"},
      {"title=match.x", kParse, "", "operator match is not supported"},
      {"title=fts(english).x", kParse, "", "operator fts(english) is not supported"},
      {"title=in.(a,b", kParse, R"x("failed to parse filter (in.(a,b)" (line 1, column 8))x",
       "unexpected end of input expecting \",\" or \")\""},
      {"title=in.a,b", kParse, R"x("failed to parse filter (in.a,b)" (line 1, column 4))x",
       "unexpected \"a\" expecting \"(\""},
      {"title=in.(a)x", kParse, R"x("failed to parse filter (in.(a)x)" (line 1, column 7))x",
       "unexpected \"x\" expecting end of input"},
      {"title=is.maybe", kParse, R"x("failed to parse filter (is.maybe)" (line 1, column 4))x",
       "unexpected \"m\" expecting null or trilean value"},
      {"title=is.nullx", kParse, "", "unexpected \"x\" expecting end of input"},
      {"title=is.", kParse, "", "unexpected end of input expecting null or trilean"},
      {"title.x=eq.1", kParse, R"x("failed to parse tree path (title.x)" (line 1, column 6))x",
       "embedded resources are not supported"},
      {"metadata-%3Ea=eq.1", kParse,
       R"x("failed to parse tree path (metadata->a)" (line 1, column 9))x", "JSON paths"},
      {"ti!tle=eq.1", kParse, "", "unexpected \"!\" expecting end of input"},
      {"=eq.1", kParse, "", "expecting field name"},
      {"not=eq.1", kParse, R"x("failed to parse logic path (not)" (line 1, column 4))x", ""},
  };
  for (const auto& c : cases) expect_error(c);
}

TEST(RestQueryErrors, LogicTreeSyntaxIsPgrst100) {
  const Case cases[] = {
      {"or=(title.eq.a", kParse, R"x("failed to parse logic tree ((title.eq.a)" (line 1, column 14))x",
       "unexpected end of input expecting \",\" or \")\""},
      {"or=()", kParse, R"x("failed to parse logic tree (())" (line 1, column 4))x",
       "unexpected \")\" expecting field name (* or [a..z0..9_$]), negation operator (not) or "
       "logic operator (and, or)"},
      {"or=title.eq.a", kParse, R"x("failed to parse logic tree (title.eq.a)" (line 1, column 3))x",
       "unexpected \"t\" expecting \"(\""},
      {"or=(title.eq.a)x", kParse, "", "unexpected \"x\" expecting end of input"},
      {"or=(title.eq.a,)", kParse, R"x("failed to parse logic tree ((title.eq.a,))" (line 1, column 15))x",
       "expecting field name"},
      {"or=(title)", kParse, "", "unexpected \")\" expecting delimiter (.)"},
      {"or=(title.eq)", kParse, "", "expecting delimiter (.)"},
      {"or=(title.noop.x)", kParse, "", "unknown single value operator noop"},
      {"or=(title.in.(a,b)", kParse, "", "expecting \",\" or \")\""},
      {"or=(title.eq.a,not.xor(title.eq.b))", kParse, "", ""},
      {"not.or=(title.eq.a", kParse, "", ""},
      {"and=[title.eq.a]", kParse, "", "unexpected \"[\" expecting \"(\""},
      {"or=(metadata-%3Ea.eq.1)", kParse, "", "JSON paths"},
      {"or=(title.eq.%7Ba%7Dx)", kParse, "", "expecting \",\" or \")\""},
  };
  for (const auto& c : cases) expect_error(c);
}

TEST(RestQueryErrors, EncodingErrors) {
  const Case cases[] = {
      {"title=eq.%zz", kParse, "invalid percent-encoding in the query string",
       R"x("%zz" in "eq.%zz" is not a %XX escape)x"},
      {"title=eq.%4", kParse, "invalid percent-encoding in the query string", R"x("%4")x"},
      {"title=eq.%", kParse, "invalid percent-encoding in the query string", R"x("%" in "eq.%")x"},
      {"ti%ZZtle=eq.a", kParse, "invalid percent-encoding in the query string", ""},
      {"title=eq.%00", ErrorCode::untranslatable_character,
       "invalid byte sequence for encoding \"UTF8\": 0x00", ""},
      {"ti%00tle=eq.a", ErrorCode::untranslatable_character, "", ""},
      {"title=eq.%FF", ErrorCode::untranslatable_character,
       "invalid byte sequence for encoding \"UTF8\"", ""},
      {"title=eq.%C0%AF", ErrorCode::untranslatable_character, "", ""},  // overlong '/'
  };
  for (const auto& c : cases) expect_error(c);
}

TEST(RestQueryErrors, SelectOrderAndListsSyntax) {
  const Case cases[] = {
      {"select=title::text", kParse,
       R"x("failed to parse select parameter (title::text)" (line 1, column 6))x",
       "casts (::type) in select are not supported"},
      {"select=metadata-%3Ea", kParse, "", "JSON paths (->, ->>) are not supported"},
      {"select=metadata-%3E%3Ea", kParse, "", "JSON paths"},
      {"select=owner(*)", kParse, "", "embedded resources are not supported"},
      {"select=..owner(*)", kParse, "", "embedded resources are not supported"},
      {"select=title!inner", kParse, "", "embedded resources are not supported"},
      {"select=", kParse, R"x("failed to parse select parameter ()" (line 1, column 1))x",
       "unexpected end of input expecting field name (* or [a..z0..9_$])"},
      {"select=id,", kParse, R"x("failed to parse select parameter (id,)" (line 1, column 4))x",
       "expecting field name"},
      {"select=*x", kParse, "", "unexpected \"x\" expecting \",\" or end of input"},
      {"select=name:", kParse, "", "expecting field name"},
      {"order=id.ac", kParse, R"x("failed to parse order (id.ac)" (line 1, column 4))x",
       R"x(unexpected "a" expecting "asc", "desc", "nullsfirst" or "nullslast")x"},
      {"order=id.descc", kParse, R"x("failed to parse order (id.descc)" (line 1, column 8))x",
       R"x(unexpected "c" expecting delimiter (.), "," or end of input)x"},
      {"order=id.asc.nlsfst", kParse, R"x("failed to parse order (id.asc.nlsfst)" (line 1, column 8))x",
       R"x(expecting "nullsfirst" or "nullslast")x"},
      {"order=id.nullslasttt", kParse, "", "unexpected \"t\""},
      {"order=id.asc.desc", kParse, "", R"x(expecting "nullsfirst" or "nullslast")x"},
      {"order=id,", kParse, "", "expecting field name"},
      {"order=metadata-%3Ea", kParse, "", "JSON paths"},
      {"order=owner(id)", kParse, "", "embedded resources"},
      {"columns=", kParse, R"x("failed to parse columns parameter ()" (line 1, column 1))x", ""},
      {"columns=title,", kParse, "", "expecting field name"},
      {"on_conflict=", kParse, "", ""},
  };
  for (const auto& c : cases) expect_error(c);
}

TEST(RestQueryErrors, LimitAndOffsetMustBeNonNegativeIntegers) {
  const Case cases[] = {
      {"limit=-1", kParse, R"x("failed to parse limit parameter (-1)" (line 1, column 1))x",
       "unexpected \"-\" expecting a non-negative integer"},
      {"limit=1.5", kParse, R"x("failed to parse limit parameter (1.5)" (line 1, column 2))x",
       "unexpected \".\""},
      {"limit=abc", kParse, "", "expecting a non-negative integer"},
      {"limit=1e3", kParse, "", ""},
      {"limit=0x10", kParse, "", ""},
      {"offset=-3", kParse, R"x("failed to parse offset parameter (-3)" (line 1, column 1))x", ""},
      {"offset=ten", kParse, "", ""},
      {"limit=1000000001", kParse, "limit may be at most 1000000000", ""},
      {"limit=99999999999999999999", kParse, "", "the number is too large"},
      {"offset=99999999999999999999", kParse, "", "the number is too large"},
  };
  for (const auto& c : cases) expect_error(c);
}

TEST(RestQueryErrors, ReservedParametersMayNotRepeat) {
  for (std::string key : {"select", "order", "limit", "offset", "columns", "on_conflict"}) {
    const std::string value = key == "limit" || key == "offset" ? "1" : "id";
    expect_error({key + "=" + value + "&" + key + "=" + value, kParse,
                  "The parameter '" + key + "' may be given only once", ""});
  }
}

TEST(RestQueryErrors, UnknownColumnsAre42703) {
  const Case cases[] = {
      {"nope=eq.1", ErrorCode::unknown_column, "column user_data.nope does not exist", ""},
      {"select=nope", ErrorCode::unknown_column, "column user_data.nope does not exist", ""},
      {"select=id,x:nope", ErrorCode::unknown_column, "column user_data.nope does not exist", ""},
      {"select=id+title", ErrorCode::unknown_column, "column user_data.id title does not exist", ""},
      {"order=nope.asc", ErrorCode::unknown_column, "column user_data.nope does not exist", ""},
      {"or=(title.eq.a,and(nope.eq.1))", ErrorCode::unknown_column,
       "column user_data.nope does not exist", ""},
      {"Title=eq.a", ErrorCode::unknown_column, "column user_data.Title does not exist", ""},
      {"on_conflict=nope", ErrorCode::unknown_column, "column user_data.nope does not exist", ""},
      {"columns=title,nope", ErrorCode::unknown_body_column,
       "Could not find the 'nope' column of 'user_data' in the schema cache", ""},
      {"on_conflict=title", ErrorCode::invalid_conflict_target, "", ""},
      {"on_conflict=id,title", ErrorCode::invalid_conflict_target, "", ""},
  };
  for (const auto& c : cases) expect_error(c);
}

TEST(RestQueryErrors, LiteralsMustFitTheColumnType) {
  const std::string u = "0b6c5e2a-1111-4222-8333-444455556666";
  const Case cases[] = {
      {"id=eq.xyz", ErrorCode::invalid_text_representation,
       "invalid input syntax for type uuid: \"xyz\"", ""},
      {"id=in.(" + u + ",bad)", ErrorCode::invalid_text_representation,
       "invalid input syntax for type uuid: \"bad\"", ""},
      {"user_id=eq.", ErrorCode::invalid_text_representation,
       "invalid input syntax for type uuid: \"\"", ""},
      {"id=eq.{" + u + "}", ErrorCode::invalid_text_representation, "", ""},
      {"or=(id.eq.nope)", ErrorCode::invalid_text_representation,
       "invalid input syntax for type uuid: \"nope\"", ""},
      {"created_at=gt.yesterday", ErrorCode::invalid_datetime_format,
       "invalid input syntax for type timestamp with time zone: \"yesterday\"", ""},
      {"created_at=gt.2025-02-30", ErrorCode::invalid_datetime_format, "", ""},
      {"updated_at=in.(2025-01-01,now)", ErrorCode::invalid_datetime_format, "", ""},
      {"metadata=eq.%7Bbad", ErrorCode::invalid_text_representation,
       "invalid input syntax for type json", ""},
      {"metadata=eq.", ErrorCode::invalid_text_representation, "invalid input syntax for type json", ""},
      {"metadata=eq.1e400", ErrorCode::invalid_text_representation, "", ""},
      {"metadata=eq.%22%5Cu0000%22", ErrorCode::untranslatable_character,
       "unsupported Unicode escape sequence", "\\u0000 cannot be converted to text."},
      {"title=is.true", ErrorCode::datatype_mismatch,
       "argument of IS TRUE must be type boolean, not type character varying", ""},
      {"content=is.false", ErrorCode::datatype_mismatch,
       "argument of IS FALSE must be type boolean, not type text", ""},
      {"id=is.unknown", ErrorCode::datatype_mismatch,
       "argument of IS UNKNOWN must be type boolean, not type uuid", ""},
      {"metadata=not.is.true", ErrorCode::datatype_mismatch,
       "argument of IS TRUE must be type boolean, not type jsonb", ""},
      {"created_at=is.false", ErrorCode::datatype_mismatch,
       "argument of IS FALSE must be type boolean, not type timestamp with time zone", ""},
      {"id=like.abc*", ErrorCode::undefined_function, "operator does not exist: uuid ~~ unknown", ""},
      {"metadata=ilike.x", ErrorCode::undefined_function,
       "operator does not exist: jsonb ~~* unknown", ""},
      {"created_at=like.2025*", ErrorCode::undefined_function,
       "operator does not exist: timestamp with time zone ~~ unknown", ""},
      {"metadata=gt.%7B%7D", ErrorCode::undefined_function,
       "operator does not exist: jsonb > unknown", ""},
      {"or=(metadata.lte.1)", ErrorCode::undefined_function,
       "operator does not exist: jsonb <= unknown", ""},
  };
  for (const auto& c : cases) expect_error(c);
}

// PostgREST parses every parameter before PostgreSQL sees a name or a literal.
TEST(RestQueryErrors, SyntaxErrorsWinOverSchemaAndTypeErrors) {
  expect_error({"select=nope&title=noop.x", kParse, "", ""});
  expect_error({"nope=eq.1&order=id.x", kParse, "", ""});
  expect_error({"id=eq.bad&title=eq.%zz", kParse, "", ""});
  // Among schema and type errors, the query's order decides.
  expect_error({"nope=eq.1&id=eq.bad", ErrorCode::unknown_column, "", ""});
  expect_error({"id=eq.bad&nope=eq.1", ErrorCode::invalid_text_representation, "", ""});
}

std::string repeat(const std::string& s, size_t n, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += (i ? sep : "") + s;
  return out;
}

// `or=(and(or(...title.eq.a)))` with `depth` levels of and/or.
std::string nested_tree(int depth) {
  std::string inner = "title.eq.a";
  for (int i = 1; i < depth; ++i) inner = std::string(i % 2 ? "and(" : "or(") + inner + ")";
  return "or=(" + inner + ")";
}

TEST(RestQueryLimits, AtMostAHundredFilters) {
  EXPECT_TRUE(parse_query(repeat("title=eq.a", kMaxFilters, "&")));
  expect_error({repeat("title=eq.a", kMaxFilters + 1, "&"), kParse,
                "Too many filters: at most 100 are allowed in one request", ""});
  EXPECT_TRUE(parse_query("or=(" + repeat("title.eq.a", kMaxFilters, ",") + ")"));
  expect_error({"or=(" + repeat("title.eq.a", kMaxFilters + 1, ",") + ")", kParse,
                "Too many filters: at most 100 are allowed in one request", ""});
  // Top level and trees share one budget.
  expect_error({repeat("title=eq.a", 50, "&") + "&or=(" + repeat("title.eq.a", 51, ",") + ")",
                kParse, "Too many filters: at most 100 are allowed in one request", ""});
}

TEST(RestQueryLimits, LogicTreesNestAtMostEightDeep) {
  auto ok = parse_query(nested_tree(kMaxLogicDepth));
  ASSERT_TRUE(ok) << ok.error().public_message();
  expect_error({nested_tree(kMaxLogicDepth + 1), kParse,
                "Logic tree nested too deeply: at most 8 levels of and/or", ""});
  // Deep nesting is refused before any recursion could go further.
  expect_error({nested_tree(2000), kParse, "", ""});
}

TEST(RestQueryLimits, InListsHoldAtMostAThousandValues) {
  auto ok = parse_query("title=in.(" + repeat("v", kMaxInValues, ",") + ")");
  ASSERT_TRUE(ok);
  const auto& cmp = std::get<store::Comparison>(ok->query.where.children[0].node);
  EXPECT_EQ(cmp.values.size(), kMaxInValues);
  expect_error({"title=in.(" + repeat("v", kMaxInValues + 1, ",") + ")", kParse,
                "Too many values in an in list: at most 1000", ""});
  expect_error({"or=(title.in.(" + repeat("v", kMaxInValues + 1, ",") + "))", kParse,
                "Too many values in an in list: at most 1000", ""});
}

TEST(RestQueryLimits, SelectAndOrderListsAreBounded) {
  EXPECT_TRUE(parse_query("select=" + repeat("title", kMaxSelectItems, ",")));
  expect_error({"select=" + repeat("title", kMaxSelectItems + 1, ","), kParse,
                "Too many items in select: at most 64", ""});
  EXPECT_TRUE(parse_query("order=" + repeat("title", kMaxOrderTerms, ",")));
  expect_error({"order=" + repeat("title", kMaxOrderTerms + 1, ","), kParse,
                "Too many terms in order: at most 32", ""});
}

}  // namespace
}  // namespace latchkey::api::rest
