// Regression (found by fuzz/json_body_fuzzer): a JSON number beyond double range made
// nlohmann throw out_of_range, which parse_json_body did not catch, so any route taking a
// body answered 500 instead of 422.
#include <gtest/gtest.h>

#include <string>

#include "api/core/request_body.hpp"

namespace latchkey::api {
namespace {

TEST(JsonNumberOverflow, IsAJsonDecodeErrorNotAnException) {
  const std::string bodies[] = {
      R"({"title": "t", "content": "c", "n": 1e400})",
      R"({"metadata": {"x": -1e999999}})",
      R"([1E+400])",
  };
  for (const auto& body : bodies) {
    Result<nlohmann::json> r = fail(Error::of(Errc::internal));
    ASSERT_NO_THROW(r = parse_json_body(body)) << body;
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, Errc::invalid_input) << body;
    ASSERT_EQ(r.error().fields.size(), 1u) << body;
    EXPECT_EQ(r.error().fields[0].type, "json_invalid") << body;
  }
}

TEST(JsonNumberOverflow, LargeButFiniteNumbersStillParse) {
  EXPECT_TRUE(parse_json_body(R"({"n": 1e308, "m": 18446744073709551615, "k": -9e307})"));
}

}  // namespace
}  // namespace latchkey::api
