#include "api/core/request_body.hpp"

#include <gtest/gtest.h>

#include <string>

namespace latchkey::api {
namespace {

TEST(EmailRule, AcceptsAndRefusesPerContract) {
  struct Case {
    const char* email;
    bool valid;
  };
  const Case cases[] = {
      {"alice@example.com", true},
      {"Alice.Smith+tag@mail.example.co.uk", true},
      {"a_b-c@x-y.io", true},
      {"not-an-email", false},
      {"a@b", false},
      {"a@@b.com", false},
      {"@example.com", false},
      {"alice@", false},
      {".alice@example.com", false},
      {"alice.@example.com", false},
      {"al..ice@example.com", false},
      {"alice@-example.com", false},
      {"alice@example-.com", false},
      {"alice@example..com", false},
      {"alice@1.2.3.4", false},
      {"ali ce@example.com", false},
      {"alice@exa mple.com", false},
      {"ålice@example.com", false},
      {"alice@example.com\n", false},
  };
  for (const auto& c : cases) EXPECT_EQ(is_valid_email(c.email), c.valid) << c.email;
}

TEST(EmailRule, LengthLimits) {
  const std::string domain = "@example.com";
  EXPECT_TRUE(is_valid_email(std::string(64, 'a') + domain));
  EXPECT_FALSE(is_valid_email(std::string(65, 'a') + domain));
  std::string long_domain;
  while (long_domain.size() < 250) long_domain += "abcdefghi.";
  long_domain += "com";
  EXPECT_FALSE(is_valid_email("a@" + long_domain));  // over 254 in all
}

TEST(JsonBody, MalformedIsJsonInvalidWithOffset) {
  auto r = parse_json_body("{\"a\": }");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);
  ASSERT_EQ(r.error().fields.size(), 1u);
  EXPECT_EQ(r.error().fields[0].type, "json_invalid");
  EXPECT_EQ(std::get<std::string>(r.error().fields[0].loc[0]), "body");
}

TEST(JsonBody, EmptyBodyIsMissing) {
  auto r = parse_json_body("");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().fields[0].type, "missing");
}

TEST(JsonBody, InvalidUtf8IsRefused) {
  auto r = parse_json_body("{\"title\": \"\xff\xfe\"}");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().fields[0].type, "json_invalid");
}

TEST(JsonBody, DeepNestingIsRefusedWithoutRecursion) {
  EXPECT_FALSE(parse_json_body(std::string(1 << 20, '[')));
  std::string ok;
  for (int i = 0; i < kMaxJsonDepth; ++i) ok += "[";
  for (int i = 0; i < kMaxJsonDepth; ++i) ok += "]";
  EXPECT_TRUE(parse_json_body(ok));
  EXPECT_FALSE(parse_json_body("[" + ok + "]"));
}

TEST(JsonBody, BracketsInsideStringsDoNotCountAsNesting) {
  EXPECT_TRUE(parse_json_body("{\"a\": \"" + std::string(1000, '[') + "\\\"[\"}"));
}

TEST(FieldReader, ReportsEveryProblemInFastApiShape) {
  auto body = nlohmann::json::parse(R"({"title": 5, "metadata": [1]})");
  FieldReader f(body);
  EXPECT_FALSE(f.required_string("title", 1, 255));
  EXPECT_FALSE(f.required_string("content", 0, 10));
  EXPECT_FALSE(f.optional_object("metadata"));
  ASSERT_FALSE(f.ok());
  const auto e = f.error();
  ASSERT_EQ(e.fields.size(), 3u);
  EXPECT_EQ(e.fields[0].type, "string_type");
  EXPECT_EQ(std::get<std::string>(e.fields[0].loc[1]), "title");
  EXPECT_EQ(e.fields[1].type, "missing");
  EXPECT_EQ(e.fields[2].type, "dict_type");
}

TEST(FieldReader, CountsCodePointsNotBytes) {
  auto body = nlohmann::json{{"t", std::string("\xf0\x9f\x98\x80") + "abc"}};  // emoji + 3
  FieldReader f(body);
  EXPECT_TRUE(f.required_string("t", 4, 4));
  EXPECT_FALSE(f.required_string("t", 5, 10));
  EXPECT_EQ(f.error().fields[0].type, "string_too_short");
}

TEST(FieldReader, NonObjectBody) {
  auto body = nlohmann::json::array();
  FieldReader f(body);
  EXPECT_FALSE(f.required_string("title", 1, 2));
  ASSERT_EQ(f.error().fields.size(), 1u);
  EXPECT_EQ(f.error().fields[0].type, "model_attributes_type");
}

TEST(FieldReader, NullOptionalFieldsAreAbsent) {
  auto body = nlohmann::json::parse(R"({"title": null, "metadata": null})");
  FieldReader f(body);
  EXPECT_FALSE(f.optional_string("title", 1, 255));
  EXPECT_FALSE(f.optional_object("metadata"));
  EXPECT_TRUE(f.ok());
}

TEST(QueryParams, DecodesAndTakesTheLastValue) {
  EXPECT_EQ(query_param("a=1&b=x%20y&a=2", "a"), "2");
  EXPECT_EQ(query_param("a=1&b=x%20y+z", "b"), "x y z");
  EXPECT_EQ(query_param("flag&x=1", "flag"), "");
  EXPECT_FALSE(query_param("x=1", "limit"));
}

TEST(QueryParams, IntegerBounds) {
  struct Case {
    const char* query;
    bool ok;
    int value;
    const char* type;
  };
  const Case cases[] = {
      {"", true, 100, ""},
      {"limit=20", true, 20, ""},
      {"limit=+7", true, 7, ""},
      {"limit=1000", true, 1000, ""},
      {"limit=0", false, 0, "greater_than_equal"},
      {"limit=1001", false, 0, "less_than_equal"},
      {"limit=-5", false, 0, "greater_than_equal"},
      {"limit=abc", false, 0, "int_parsing"},
      {"limit=1.5", false, 0, "int_parsing"},
      {"limit=", false, 0, "int_parsing"},
      {"limit=99999999999999999999", false, 0, "less_than_equal"},
  };
  for (const auto& c : cases) {
    auto r = int_query_param(c.query, "limit", 100, 1, 1000);
    ASSERT_EQ(bool(r), c.ok) << c.query;
    if (c.ok) {
      EXPECT_EQ(*r, c.value) << c.query;
    } else {
      EXPECT_EQ(r.error().fields[0].type, c.type) << c.query;
    }
  }
}

}  // namespace
}  // namespace latchkey::api
