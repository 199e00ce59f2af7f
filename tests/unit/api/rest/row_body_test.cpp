#include "api/rest/row_body.hpp"

#include <gtest/gtest.h>

#include <string>

#include "api/core/json_scan.hpp"

#include "describe.hpp"

namespace latchkey::api::rest {
namespace {

using store::ItemColumn;
using Columns = std::optional<std::vector<ItemColumn>>;

// title='a' content=NULL ... in table order; absent columns are left out.
std::string describe_row(const store::ItemValues& row) {
  std::string out;
  for (const auto& [column, value] : row) {
    if (!out.empty()) out += " ";
    out += std::string(store::column_name(column)) + "=" +
           (value ? testing::describe(*value) : std::string("NULL"));
  }
  return out;
}

std::string describe_rows(const std::vector<store::ItemValues>& rows) {
  std::string out;
  for (const auto& r : rows) out += "[" + describe_row(r) + "]";
  return out;
}

std::string insert(std::string_view body, Columns columns = std::nullopt,
                   bool missing_default = false) {
  auto r = parse_insert_body(body, columns, missing_default);
  if (!r) return std::string("error ") + std::string(error_code_name(r.error().public_code));
  return describe_rows(*r);
}

TEST(RestRowBody, InsertRowsCarryTheirColumns) {
  struct Case {
    std::string body;
    Columns columns;
    bool missing_default;
    std::string rows;
  };
  const Columns tcm = std::vector{ItemColumn::title, ItemColumn::content, ItemColumn::metadata};
  const Case cases[] = {
      {R"({"title":"a","content":"b"})", std::nullopt, false, "[title='a' content='b']"},
      {R"({"title":"a","metadata":null})", std::nullopt, false, "[title='a' metadata=NULL]"},
      {R"({"metadata":{"b":1,"a":2}})", std::nullopt, false, R"([metadata=json:{"a":2,"b":1}])"},
      {"[]", std::nullopt, false, ""},
      {"{}", std::nullopt, false, "[]"},
      // Arrays without columns=: a key some object has is NULL where another lacks it...
      {R"([{"title":"a","content":"x"},{"title":"b"}])", std::nullopt, false,
       "[title='a' content='x'][title='b' content=NULL]"},
      // ... unless missing=default, when it takes its DEFAULT there.
      {R"([{"title":"a","content":"x"},{"title":"b"}])", std::nullopt, true,
       "[title='a' content='x'][title='b']"},
      // columns= picks: other keys are ignored, even unknown ones.
      {R"({"title":"a","content":"b","nope":1,"id":"x"})", std::vector{ItemColumn::title}, false,
       "[title='a']"},
      // A column in columns= that no object has is NULL for all, unless missing=default.
      {R"([{"title":"a","content":"b"},{"title":"c","content":"d"}])", tcm, false,
       "[title='a' content='b' metadata=NULL][title='c' content='d' metadata=NULL]"},
      {R"([{"title":"a","content":"b"},{"title":"c","content":"d"}])", tcm, true,
       "[title='a' content='b'][title='c' content='d']"},
      {R"({"id":"0B6C5E2A-1111-4222-8333-444455556666","user_id":null})", std::nullopt, false,
       "[id=uuid:0b6c5e2a-1111-4222-8333-444455556666 user_id=NULL]"},
      {R"({"created_at":"2025-01-01","updated_at":"2025-01-01T00:00:01Z"})", std::nullopt, false,
       "[created_at=ts:1735689600000000 updated_at=ts:1735689601000000]"},
      {R"(  {"title":"a"}  )", std::nullopt, false, "[title='a']"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(insert(c.body, c.columns, c.missing_default), c.rows) << c.body;
  }
}

TEST(RestRowBody, TitleUpToTwoHundredFiftyFiveCodePoints) {
  std::string title;
  for (int i = 0; i < 255; ++i) title += "\xC3\xA9";  // 255 code points, 510 bytes
  EXPECT_EQ(insert(R"({"title":")" + title + R"("})").substr(0, 7), "[title=");
  EXPECT_EQ(insert(R"({"title":")" + title + R"(e"})"), "error 22001");
  EXPECT_EQ(insert(R"({"content":")" + std::string(10000, 'x') + R"("})").substr(0, 9),
            "[content=");
}

TEST(RestRowBody, InsertErrors) {
  struct Case {
    std::string body;
    std::string error;
  };
  const Case cases[] = {
      {"", "error PGRST102"},
      {"  \n", "error PGRST102"},
      {"{", "error PGRST102"},
      {"null", "error PGRST102"},
      {"1", "error PGRST102"},
      {R"("x")", "error PGRST102"},
      {"[1]", "error PGRST102"},
      {R"([{"title":"a"},[]])", "error PGRST102"},
      {"{\"title\":\"\xFF\"}", "error PGRST102"},  // invalid UTF-8
      {R"({"n":1e400})", "error PGRST102"},
      {std::string(api::kMaxJsonDepth + 1, '[') + std::string(api::kMaxJsonDepth + 1, ']'), "error PGRST102"},
      {R"({"nope":1})", "error PGRST204"},
      {R"([{"title":"a"},{"Title":"b"}])", "error PGRST204"},
      {R"({"title":"a\u0000"})", "error 22P05"},
      {R"({"t\u0000":"a"})", "error 22P05"},
      {R"({"metadata":{"k":["\u0000"]}})", "error 22P05"},
      {R"({"id":"nope"})", "error 22P02"},
      {R"({"user_id":7})", "error 22P02"},
      {R"({"title":5})", "error 22P02"},
      {R"({"content":true})", "error 22P02"},
      {R"({"title":{"a":1}})", "error 22P02"},
      {R"({"created_at":"yesterday"})", "error 22007"},
      {R"({"updated_at":1735689600})", "error 22007"},
      {R"({"metadata":[1,2]})", "error 23514"},
      {R"({"metadata":"text"})", "error 23514"},
      {R"({"metadata":3})", "error 23514"},
      {R"({"metadata":false})", "error 23514"},
  };
  for (const auto& c : cases) EXPECT_EQ(insert(c.body), c.error) << c.body;
}

TEST(RestRowBody, ErrorMessagesNameTheProblem) {
  auto unknown = parse_insert_body(R"({"title":"a","nope":1})", std::nullopt, false);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().public_message(),
            "Could not find the 'nope' column of 'user_data' in the schema cache");
  auto bad = parse_insert_body("", std::nullopt, false);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().public_message(), "Empty or invalid json");
  auto uuid = parse_insert_body(R"({"id":"x"})", std::nullopt, false);
  ASSERT_FALSE(uuid);
  EXPECT_EQ(uuid.error().public_message(), "invalid input syntax for type uuid: \"x\"");
  auto ts = parse_insert_body(R"({"created_at":"x"})", std::nullopt, false);
  ASSERT_FALSE(ts);
  EXPECT_EQ(ts.error().public_message(),
            "invalid input syntax for type timestamp with time zone: \"x\"");
  auto text = parse_insert_body(R"({"title":5})", std::nullopt, false);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().public_message(), "a JSON string is required for column \"title\"");
  EXPECT_EQ(text.error().details, "got a JSON number");
  auto meta = parse_insert_body(R"({"metadata":[]})", std::nullopt, false);
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error().details, "metadata must be a JSON object or null");
  // Keys are checked before values, as PostgREST consults its schema cache first.
  auto order = parse_insert_body(R"([{"id":"bad"},{"nope":1}])", std::nullopt, false);
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().public_code, ErrorCode::unknown_body_column);
}

TEST(RestRowBody, UpdateTakesOneObjectsColumns) {
  auto r = parse_update_body(R"({"title":"t","metadata":null})", std::nullopt);
  ASSERT_TRUE(r);
  EXPECT_EQ(describe_row(*r), "title='t' metadata=NULL");
  auto picked = parse_update_body(R"({"title":"t","content":"c","x":1})",
                                  std::vector{ItemColumn::content, ItemColumn::metadata});
  ASSERT_TRUE(picked);
  EXPECT_EQ(describe_row(*picked), "content='c'");  // columns= does not NULL what is absent
  auto empty = parse_update_body("{}", std::nullopt);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  for (const char* body : {"", "[]", R"([{"title":"a"}])", "3"}) {
    auto e = parse_update_body(body, std::nullopt);
    ASSERT_FALSE(e) << body;
    EXPECT_EQ(e.error().public_code, ErrorCode::invalid_body) << body;
  }
  auto unknown = parse_update_body(R"({"nope":1})", std::nullopt);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().public_code, ErrorCode::unknown_body_column);
}

}  // namespace
}  // namespace latchkey::api::rest
