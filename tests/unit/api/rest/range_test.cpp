// limit/offset and the Range header, intersected as PostgREST's headerAndLimitRange.
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "api/rest/query_parser.hpp"

namespace latchkey::api::rest {
namespace {

struct Case {
  std::string query;
  std::string range;
  int64_t offset;
  std::optional<int64_t> limit;
};

TEST(RestRange, LimitOffsetAndRangeIntersect) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  const Case cases[] = {
      {"", "", 0, std::nullopt},
      {"limit=2", "", 0, 2},
      {"offset=3", "", 3, std::nullopt},
      {"limit=2&offset=3", "", 3, 2},
      {"offset=0&limit=2", "", 0, 2},
      {"limit=+7+", "", 0, 7},
      {"limit=", "", 0, std::nullopt},  // empty: ignored
      {"", "0-9", 0, 10},
      {"", "5-", 5, std::nullopt},
      {"", "3-3", 3, 1},
      {"limit=3", "0-1", 0, 2},
      {"limit=2", "0-5", 0, 2},  // intersection, not the header overriding
      {"offset=3", "2-5", 3, 3},
      {"offset=1&limit=10", "4-", 4, 7},
      {"limit=0", "0-9", 0, 0},           // limit=0 is an empty page whatever the Range
      {"limit=0&offset=5", "", 0, 0},     // as PostgREST's limitZeroRange
      {"", "bytes=0-9", 0, std::nullopt},  // not PostgREST's form: no range
      {"", "items=0-9", 0, std::nullopt},
      {"", "0-9,20-29", 0, std::nullopt},
      {"", "-5", 0, std::nullopt},
      {"", "a-b", 0, std::nullopt},
      {"", "0-99999999999999999999999", 0, kMax},
      {"offset=9223372036854775807&limit=10", "", kMax, 1},
  };
  for (const auto& c : cases) {
    auto r = parse_query(c.query, c.range);
    ASSERT_TRUE(r) << c.query << " / " << c.range << ": " << r.error().public_message();
    EXPECT_EQ(r->query.offset, c.offset) << c.query << " / " << c.range;
    EXPECT_EQ(r->query.limit, c.limit) << c.query << " / " << c.range;
  }
}

TEST(RestRange, EmptyIntersectionIs416) {
  for (const auto& [query, range] : std::vector<std::pair<std::string, std::string>>{
           {"", "5-2"}, {"offset=5", "0-1"}, {"offset=10&limit=5", "0-9"}}) {
    auto r = parse_query(query, range);
    ASSERT_FALSE(r) << query << " / " << range;
    EXPECT_EQ(r.error().public_code, ErrorCode::range_not_satisfiable);
    EXPECT_EQ(r.error().public_message(), "Requested range not satisfiable");
  }
}

}  // namespace
}  // namespace latchkey::api::rest
