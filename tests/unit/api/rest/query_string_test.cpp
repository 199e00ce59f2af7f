#include "api/rest/query_string.hpp"

#include <gtest/gtest.h>

namespace latchkey::api::rest {
namespace {

TEST(RestQueryString, DecodesFormStylePairs) {
  auto r = decode_query("a=1&&b=x+y%2Bz&c&=v&d=&%73elect=%2A");
  ASSERT_TRUE(r);
  const std::vector<std::pair<std::string, std::optional<std::string>>> expected = {
      {"a", "1"}, {"b", "x y+z"}, {"c", std::nullopt}, {"", "v"}, {"d", ""}, {"select", "*"}};
  ASSERT_EQ(r->size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ((*r)[i].key, expected[i].first) << i;
    EXPECT_EQ((*r)[i].value, expected[i].second) << i;
  }
  EXPECT_TRUE(decode_query("")->empty());
  EXPECT_TRUE(decode_query("&&&")->empty());
  // Only the first '=' splits; later ones belong to the value.
  EXPECT_EQ(decode_query("k=a=b")->front().value, "a=b");
}

TEST(RestQueryString, RefusesBadEscapesAndBytesTextCannotHold) {
  struct Case {
    const char* raw;
    ErrorCode code;
  };
  const Case cases[] = {
      {"a=%", ErrorCode::query_parse_failed},     {"a=%2", ErrorCode::query_parse_failed},
      {"a=%g0", ErrorCode::query_parse_failed},   {"%=1", ErrorCode::query_parse_failed},
      {"a=%00", ErrorCode::untranslatable_character},
      {"a=%E2%82", ErrorCode::untranslatable_character},  // cut UTF-8
      {"a=%ED%A0%80", ErrorCode::untranslatable_character},  // a surrogate
  };
  for (const auto& c : cases) {
    auto r = decode_query(c.raw);
    ASSERT_FALSE(r) << c.raw;
    EXPECT_EQ(r.error().public_code, c.code) << c.raw;
  }
  EXPECT_TRUE(decode_query("a=%E2%82%AC"));  // €
}

}  // namespace
}  // namespace latchkey::api::rest
