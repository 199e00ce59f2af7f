#include "api/rest/literal.hpp"

#include <gtest/gtest.h>

#include <string>

#include "api/core/json_scan.hpp"

namespace latchkey::api::rest {
namespace {

constexpr core::Micros kNewYear2025 = 1735689600LL * 1'000'000;  // 2025-01-01T00:00:00Z

TEST(RestTimestamp, ParsesPostgresqlInputForms) {
  struct Case {
    const char* text;
    core::Micros expected;
  };
  const Case cases[] = {
      {"2025-01-01", kNewYear2025},
      {"2025-01-01T00:00:00Z", kNewYear2025},
      {"2025-01-01T00:00:00z", kNewYear2025},
      {"2025-01-01t00:00", kNewYear2025},
      {"2025-01-01 00:00:00", kNewYear2025},
      {" 2025-01-01T00:00:00+00:00 ", kNewYear2025},
      {"2025-01-01T12:00:00.123456Z", kNewYear2025 + 12 * 3'600'000'000LL + 123456},
      {"2025-01-01T12:00:00.1Z", kNewYear2025 + 12 * 3'600'000'000LL + 100000},
      {"2025-01-01T00:00:00.0000004Z", kNewYear2025},      // rounds down
      {"2025-01-01T00:00:00.0000005Z", kNewYear2025 + 1},  // rounds half up
      {"2025-01-01T00:00:00.9999999Z", kNewYear2025 + 1'000'000},
      {"2025-01-01T02:00:00+02:00", kNewYear2025},
      {"2025-01-01T02:00:00+02", kNewYear2025},
      {"2025-01-01T02:30:00+0230", kNewYear2025},
      {"2024-12-31T19:00:00-05:00", kNewYear2025},
      {"2025-01-01 02:00:00 +02:00", kNewYear2025},
      {"2024-12-31T24:00:00Z", kNewYear2025},
      {"2024-12-31T23:59:60Z", kNewYear2025},
      {"2024-02-29", kNewYear2025 - 307LL * 86'400'000'000},
      {"1970-01-01", 0},
      {"1969-12-31T23:59:59.5Z", -500'000},
      {"0001-01-01", -62135596800LL * 1'000'000},
      {"9999-12-31T23:59:59.999999Z", 253402300799999999LL},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_timestamp(c.text), c.expected) << c.text;
}

TEST(RestTimestamp, RefusesWhatIsNotATimestamp) {
  for (const char* text :
       {"", "now", "today", "infinity", "-infinity", "epoch", "2025", "2025-1-1", "2025-01-1",
        "25-01-01", "2025/01/01", "2025-13-01", "2025-00-10", "2025-02-29", "2023-04-31",
        "0000-01-01", "2025-01-01T", "2025-01-01T1:00", "2025-01-01T25:00", "2025-01-01T24:00:01",
        "2025-01-01T12:60", "2025-01-01T12:00:61", "2025-01-01T12:00:00.", "2025-01-01T12:00:00.5.5",
        "2025-01-01T12:00:00+", "2025-01-01T12:00:00+2", "2025-01-01T12:00:00+16:00",
        "2025-01-01T12:00:00+02:60", "2025-01-01T12:00:00 00:00", "2025-01-01T12:00:00ZZ",
        "2025-01-01x", "2025-01-01T12:00:00 UTC", "12345-01-01", "2025-01-01T12:00:00+02:00:00"}) {
    EXPECT_FALSE(parse_timestamp(text)) << text;
  }
}

TEST(RestTimestamp, FormatsAsPostgresqlJson) {
  EXPECT_EQ(format_timestamp(kNewYear2025), "2025-01-01T00:00:00+00:00");
  EXPECT_EQ(format_timestamp(kNewYear2025 + 123456), "2025-01-01T00:00:00.123456+00:00");
  EXPECT_EQ(format_timestamp(kNewYear2025 + 120000), "2025-01-01T00:00:00.12+00:00");
  EXPECT_EQ(format_timestamp(kNewYear2025 + 100000), "2025-01-01T00:00:00.1+00:00");
  EXPECT_EQ(format_timestamp(kNewYear2025 + 1), "2025-01-01T00:00:00.000001+00:00");
  EXPECT_EQ(format_timestamp(kNewYear2025 + 12 * 3'600'000'000LL + 10'000'000),
            "2025-01-01T12:00:10+00:00");
  EXPECT_EQ(format_timestamp(-500'000), "1969-12-31T23:59:59.5+00:00");
}

TEST(RestTimestamp, FormatThenParseRoundTrips) {
  for (core::Micros t : {core::Micros(0), kNewYear2025 + 1, kNewYear2025 + 999999,
                         core::Micros(-62135596800LL * 1'000'000), core::Micros(253402300799999999LL)}) {
    EXPECT_EQ(parse_timestamp(format_timestamp(t)), t) << t;
  }
}

TEST(RestLiteral, ConvertsToTheColumnType) {
  using store::ItemColumn;
  auto text = literal_from_text(ItemColumn::content, "a*b");
  ASSERT_TRUE(text);
  EXPECT_EQ(std::get<std::string>(*text), "a*b");
  auto id = literal_from_text(ItemColumn::user_id, "0B6C5E2A-1111-4222-8333-444455556666");
  ASSERT_TRUE(id);
  EXPECT_EQ(std::get<core::Uuid>(*id).str(), "0b6c5e2a-1111-4222-8333-444455556666");
  auto ts = literal_from_text(ItemColumn::updated_at, "2025-01-01");
  ASSERT_TRUE(ts);
  EXPECT_EQ(std::get<core::Micros>(*ts), kNewYear2025);
  auto json = literal_from_text(ItemColumn::metadata, R"({ "z": [1, {"b": null, "a": 2}], "y": "é" })");
  ASSERT_TRUE(json);
  EXPECT_EQ(std::get<store::JsonText>(*json).text, R"({"y":"é","z":[1,{"a":2,"b":null}]})");
}

TEST(RestLiteral, JsonDeeperThanTheBodyLimitIsRefused) {
  const std::string deep = std::string(api::kMaxJsonDepth + 1, '[') + std::string(api::kMaxJsonDepth + 1, ']');
  auto r = literal_from_text(store::ItemColumn::metadata, deep);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().public_code, ErrorCode::invalid_text_representation);
  const std::string ok = std::string(api::kMaxJsonDepth, '[') + std::string(api::kMaxJsonDepth, ']');
  EXPECT_TRUE(literal_from_text(store::ItemColumn::metadata, ok));
}

TEST(RestLiteral, SqlTypeNamesAreThoseOfPostgresqlMessages) {
  using store::ItemColumn;
  EXPECT_EQ(sql_type_name(ItemColumn::id), "uuid");
  EXPECT_EQ(sql_type_name(ItemColumn::title), "character varying");
  EXPECT_EQ(sql_type_name(ItemColumn::content), "text");
  EXPECT_EQ(sql_type_name(ItemColumn::metadata), "jsonb");
  EXPECT_EQ(sql_type_name(ItemColumn::created_at), "timestamp with time zone");
}

}  // namespace
}  // namespace latchkey::api::rest
