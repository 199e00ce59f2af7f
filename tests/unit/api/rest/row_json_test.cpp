#include "api/rest/row_json.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace latchkey::api::rest {
namespace {

using store::ItemColumn;

store::ItemRecord sample() {
  store::ItemRecord r;
  r.id = ItemId{*core::Uuid::parse("0b6c5e2a-1111-4222-8333-444455556666")};
  r.user_id = UserId{*core::Uuid::parse("ffffffff-0000-4000-8000-000000000001")};
  r.title = "T \"q\"";
  r.content = "line\nnext é";
  r.metadata_json = R"({"a":[1,2],"b":{"c":null}})";
  r.created_at = 1735689600LL * 1'000'000 + 123450;
  r.updated_at = 1735689600LL * 1'000'000;
  return r;
}

std::string row(const store::ItemRecord& r, const std::vector<SelectItem>& select,
                bool strip = false) {
  std::string out;
  append_row_json(out, r, select, strip);
  return out;
}

TEST(RestRowJson, StarRendersEveryColumnInTableOrder) {
  EXPECT_EQ(row(sample(), all_columns()),
            R"({"id":"0b6c5e2a-1111-4222-8333-444455556666","title":"T \"q\"",)"
            R"("content":"line\nnext é","metadata":{"a":[1,2],"b":{"c":null}},)"
            R"("user_id":"ffffffff-0000-4000-8000-000000000001",)"
            R"("created_at":"2025-01-01T00:00:00.12345+00:00",)"
            R"("updated_at":"2025-01-01T00:00:00+00:00"})");
}

TEST(RestRowJson, SelectListOrderAliasesAndRepeats) {
  const std::vector<SelectItem> select = {{ItemColumn::title, "name"},
                                          {ItemColumn::id, "id"},
                                          {ItemColumn::title, "title"}};
  EXPECT_EQ(row(sample(), select),
            R"({"name":"T \"q\"","id":"0b6c5e2a-1111-4222-8333-444455556666","title":"T \"q\""})");
}

TEST(RestRowJson, MetadataNoneIsNullOrStripped) {
  auto r = sample();
  r.metadata_json.reset();
  const std::vector<SelectItem> select = {{ItemColumn::title, "title"},
                                          {ItemColumn::metadata, "metadata"}};
  EXPECT_EQ(row(r, select), R"({"title":"T \"q\"","metadata":null})");
  EXPECT_EQ(row(r, select, /*strip=*/true), R"({"title":"T \"q\""})");
  EXPECT_EQ(row(r, {{ItemColumn::metadata, "m"}}, true), "{}");
  r.metadata_json = "{}";
  EXPECT_EQ(row(r, select, true), R"({"title":"T \"q\"","metadata":{}})");
}

TEST(RestRowJson, DamagedMetadataStaysValidJson) {
  auto r = sample();
  r.metadata_json = "{not json";
  const std::string out = row(r, {{ItemColumn::metadata, "metadata"}});
  EXPECT_EQ(out, R"({"metadata":"{not json"})");
  EXPECT_TRUE(nlohmann::json::accept(out));
}

TEST(RestRowJson, ArrayOrSingleObject) {
  const std::vector<SelectItem> select = {{ItemColumn::title, "title"}};
  const std::vector<store::ItemRecord> none, one = {sample()}, two = {sample(), sample()};
  EXPECT_EQ(*render_rows(none, select, {}), "[]");
  EXPECT_EQ(*render_rows(one, select, {}), R"([{"title":"T \"q\""}])");
  EXPECT_EQ(*render_rows(two, select, {}), R"([{"title":"T \"q\""},{"title":"T \"q\""}])");
  EXPECT_EQ(*render_rows(one, select, {.single = true}), R"({"title":"T \"q\""})");
  for (const auto* rows : {&none, &two}) {
    auto r = render_rows(*rows, select, {.single = true});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().public_code, ErrorCode::not_single_row);
    EXPECT_EQ(r.error().public_message(), "Cannot coerce the result to a single JSON object");
    EXPECT_EQ(r.error().details, "The result contains " + std::to_string(rows->size()) + " rows");
  }
}

TEST(RestContentRange, FormsOfSection91) {
  EXPECT_EQ(content_range(0, 2, 3), "0-1/3");
  EXPECT_EQ(content_range(0, 0, 0), "*/0");
  EXPECT_EQ(content_range(0, 0, std::nullopt), "*/*");
  EXPECT_EQ(content_range(0, 10, std::nullopt), "0-9/*");
  EXPECT_EQ(content_range(5, 0, 3), "*/3");
  EXPECT_EQ(content_range(10, 5, 100), "10-14/100");
  EXPECT_EQ(content_range(0, 1, std::nullopt), "0-0/*");
}

TEST(RestReadStatus, TwoHundredPartialOrRangeNotSatisfiable) {
  struct Case {
    int64_t offset;
    size_t rows;
    std::optional<int64_t> total;
    int status;  // 416: an error
  };
  const Case cases[] = {
      {0, 3, std::nullopt, 200}, {0, 0, std::nullopt, 200}, {50, 0, std::nullopt, 200},
      {0, 3, 3, 200},            {0, 2, 3, 206},            {1, 2, 3, 206},
      {0, 0, 0, 200},            {3, 0, 3, 206},            {4, 0, 3, 416},
      {1, 0, 0, 416},
  };
  for (const auto& c : cases) {
    auto s = read_status(c.offset, c.rows, c.total);
    if (c.status == 416) {
      ASSERT_FALSE(s) << c.offset;
      EXPECT_EQ(s.error().public_code, ErrorCode::range_not_satisfiable);
      EXPECT_EQ(s.error().public_message(), "Requested range not satisfiable");
    } else {
      ASSERT_TRUE(s) << c.offset << " " << c.rows;
      EXPECT_EQ(*s, c.status) << c.offset << " " << c.rows;
    }
  }
  EXPECT_EQ(read_status(5, 0, 3).error().details,
            "An offset of 5 was requested, but there are only 3 rows.");
}

}  // namespace
}  // namespace latchkey::api::rest
