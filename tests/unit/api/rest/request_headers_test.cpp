#include "api/rest/request_headers.hpp"

#include <gtest/gtest.h>

#include <string>

#include "api/rest/query_parser.hpp"

namespace latchkey::api::rest {
namespace {

TEST(RestPrefer, SplitsTrimsAndKeepsTheFirstOfEach) {
  const auto p = parse_prefer(
      "count=exact,    tx=commit   ,return=representation , missing=default, handling=strict, "
      "anything, max-affected=5, resolution=merge-duplicates, return=minimal");
  EXPECT_EQ(p.count, CountPref::exact);
  EXPECT_EQ(p.tx, TxPref::commit);
  EXPECT_EQ(p.return_pref, ReturnPref::representation);  // the later return=minimal loses
  EXPECT_EQ(p.missing, MissingPref::default_);
  EXPECT_EQ(p.handling, HandlingPref::strict);
  EXPECT_EQ(p.max_affected, 5);
  EXPECT_EQ(p.resolution, ResolutionPref::merge_duplicates);
  EXPECT_EQ(p.invalid, std::vector<std::string>{"anything"});
  EXPECT_TRUE(p.representation());
  EXPECT_TRUE(p.missing_default());
}

TEST(RestPrefer, EachTokenMapsToItsValue) {
  struct Case {
    const char* header;
    std::optional<ReturnPref> ret;
    std::optional<CountPref> count;
    std::optional<ResolutionPref> resolution;
  };
  const Case cases[] = {
      {"", std::nullopt, std::nullopt, std::nullopt},
      {"return=minimal", ReturnPref::minimal, std::nullopt, std::nullopt},
      {"return=headers-only", ReturnPref::headers_only, std::nullopt, std::nullopt},
      {"count=planned", std::nullopt, CountPref::planned, std::nullopt},
      {"count=estimated", std::nullopt, CountPref::estimated, std::nullopt},
      {"resolution=ignore-duplicates", std::nullopt, std::nullopt, ResolutionPref::ignore_duplicates},
      // Several Prefer lines, as header_list joins them.
      {"return=representation, count=exact", ReturnPref::representation, CountPref::exact,
       std::nullopt},
      {"\treturn=representation\t,,", ReturnPref::representation, std::nullopt, std::nullopt},
  };
  for (const auto& c : cases) {
    const auto p = parse_prefer(c.header);
    EXPECT_EQ(p.return_pref, c.ret) << c.header;
    EXPECT_EQ(p.count, c.count) << c.header;
    EXPECT_EQ(p.resolution, c.resolution) << c.header;
    EXPECT_TRUE(p.invalid.empty()) << c.header;
  }
}

TEST(RestPrefer, UnknownOrMalformedTokensAreCollectedNotRefused) {
  const auto p = parse_prefer(
      "return=everything, Return=minimal, count = exact, count=EXACT, timezone=UTC, "
      "params=single-object, missing=null, tx=rollback, handling=lenient");
  EXPECT_FALSE(p.return_pref);
  EXPECT_FALSE(p.count);
  EXPECT_EQ(p.missing, MissingPref::null);
  EXPECT_EQ(p.tx, TxPref::rollback);
  EXPECT_EQ(p.handling, HandlingPref::lenient);
  EXPECT_EQ(p.invalid, (std::vector<std::string>{"return=everything", "Return=minimal",
                                                 "count = exact", "count=EXACT", "timezone=UTC",
                                                 "params=single-object"}));
  EXPECT_FALSE(p.missing_default());
}

TEST(RestPrefer, MaxAffectedTakesTheFirstAndNeedsANumber) {
  EXPECT_EQ(parse_prefer("max-affected=10, max-affected=20").max_affected, 10);
  EXPECT_FALSE(parse_prefer("max-affected=ten, max-affected=20").max_affected);
  EXPECT_FALSE(parse_prefer("max-affected=-1").max_affected);
  EXPECT_FALSE(parse_prefer("max-affected=").max_affected);
  EXPECT_TRUE(parse_prefer("max-affected=ten").invalid.empty());
}

TEST(RestPrefer, PreferenceAppliedEchoesWhatWasHonoured) {
  EXPECT_EQ(preference_applied(parse_prefer("")), "");
  EXPECT_EQ(preference_applied(parse_prefer("count=exact, return=representation, bogus")),
            "return=representation, count=exact");
  EXPECT_EQ(preference_applied(parse_prefer(
                "tx=rollback, missing=default, resolution=ignore-duplicates, max-affected=3")),
            "resolution=ignore-duplicates, missing=default");
  EXPECT_EQ(preference_applied(parse_prefer("handling=strict, max-affected=3")),
            "handling=strict, max-affected=3");
}

TEST(RestAccept, NegotiatesArrayOrObject) {
  struct Case {
    const char* accept;
    bool single;
    bool strip_nulls;
  };
  const Case cases[] = {
      {"", false, false},
      {"  ", false, false},
      {"*/*", false, false},
      {"application/*", false, false},
      {"application/json", false, false},
      {"Application/JSON; charset=utf-8", false, false},
      {"application/vnd.pgrst.object+json", true, false},
      {"application/vnd.pgrst.object", true, false},
      {"application/vnd.pgrst.object+json;nulls=stripped", true, true},
      {"application/vnd.pgrst.object+json; nulls=stripped", true, true},
      {"application/vnd.pgrst.array+json;nulls=stripped", false, true},
      {"application/vnd.pgrst.array+json", false, false},
      {"text/csv, application/json", false, false},
      {"text/csv, application/vnd.pgrst.object+json", true, false},
      // q orders; ties go to the more specific range, then the earlier one.
      {"application/json;q=0.5, application/vnd.pgrst.object+json", true, false},
      {"application/vnd.pgrst.object+json;q=0.4, application/json;q=0.9", false, false},
      {"*/*, application/vnd.pgrst.object+json", true, false},
      {"application/vnd.pgrst.object+json, application/json", true, false},
      {"application/json, application/vnd.pgrst.object+json", false, false},
      {"text/csv;q=1, */*;q=0.1", false, false},
      {"application/json;q=abc", false, false},  // an unreadable q counts as 1
  };
  for (const auto& c : cases) {
    auto m = negotiate_media(c.accept);
    ASSERT_TRUE(m) << c.accept << ": " << m.error().public_message();
    EXPECT_EQ(m->single, c.single) << c.accept;
    EXPECT_EQ(m->strip_nulls, c.strip_nulls) << c.accept;
  }
}

TEST(RestAccept, NothingWeProduceIs406) {
  struct Case {
    const char* accept;
    const char* message;
  };
  const Case cases[] = {
      {"text/csv", "None of these media types are available: text/csv"},
      {"text/csv, text/plain;q=0.5", "None of these media types are available: text/csv, text/plain"},
      {"text/*", "None of these media types are available: text/*"},
      {"application/xml", "None of these media types are available: application/xml"},
      {"application/json;q=0", "None of these media types are available: application/json"},
      {"application/json;q=0, */*",
       "None of these media types are available: application/json, */*"},
      {"application/*;q=0, */*", "None of these media types are available: application/*, */*"},
      {"garbage", "None of these media types are available: garbage"},
  };
  for (const auto& c : cases) {
    auto m = negotiate_media(c.accept);
    ASSERT_FALSE(m) << c.accept;
    EXPECT_EQ(m.error().public_code, ErrorCode::not_acceptable) << c.accept;
    EXPECT_EQ(m.error().public_message(), c.message);
    EXPECT_NE(m.error().details.find("application/vnd.pgrst.object+json"), std::string::npos);
  }
}

TEST(RestAccept, ContentTypeFollowsTheChoice) {
  EXPECT_EQ(content_type({}), "application/json; charset=utf-8");
  EXPECT_EQ(content_type({.single = true}), "application/vnd.pgrst.object+json; charset=utf-8");
  EXPECT_EQ(content_type({.single = true, .strip_nulls = true}),
            "application/vnd.pgrst.object+json; nulls=stripped; charset=utf-8");
  EXPECT_EQ(content_type({.single = false, .strip_nulls = true}),
            "application/vnd.pgrst.array+json; nulls=stripped; charset=utf-8");
}

TEST(RestProfile, OnlyPublicIsExposed) {
  EXPECT_TRUE(check_profile(""));
  EXPECT_TRUE(check_profile("public"));
  EXPECT_TRUE(check_profile(" public "));
  for (const char* schema : {"private", "Public", "auth", "public, other"}) {
    auto r = check_profile(schema);
    ASSERT_FALSE(r) << schema;
    EXPECT_EQ(r.error().public_code, ErrorCode::invalid_schema);
    EXPECT_EQ(r.error().public_message(), "Invalid schema: " + std::string(schema));
    EXPECT_EQ(r.error().hint, "Only the following schemas are exposed: public");
  }
}

TEST(RestRequest, ReadsUseAcceptProfileWritesContentProfile) {
  const RestHeaders wrong_accept{.accept_profile = "other"};
  const RestHeaders wrong_content{.content_profile = "other"};
  EXPECT_FALSE(parse_request(http::Method::get, "", wrong_accept));
  EXPECT_FALSE(parse_request(http::Method::head, "", wrong_accept));
  EXPECT_TRUE(parse_request(http::Method::get, "", wrong_content));
  for (auto m : {http::Method::post, http::Method::patch, http::Method::del, http::Method::put}) {
    EXPECT_TRUE(parse_request(m, "", wrong_accept));
    auto r = parse_request(m, "", wrong_content);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().public_code, ErrorCode::invalid_schema);
  }
}

TEST(RestRequest, RangeHeaderAppliesToGetOnly) {
  const RestHeaders h{.range = "0-1"};
  auto get = parse_request(http::Method::get, "", h);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->parsed.query.limit, 2);
  for (auto m : {http::Method::head, http::Method::post, http::Method::patch, http::Method::del}) {
    auto r = parse_request(m, "", h);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->parsed.query.limit);
  }
}

TEST(RestRequest, PreferCountAskForATotal) {
  for (const char* prefer : {"count=exact", "count=planned", "count=estimated"}) {
    auto r = parse_request(http::Method::get, "", {.prefer = prefer});
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->parsed.query.count) << prefer;
  }
  auto none = parse_request(http::Method::get, "", {.prefer = "return=representation"});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->parsed.query.count);
}

TEST(RestRequest, UpsertOnlyForPostWithResolution) {
  auto merge = parse_request(http::Method::post, "", {.prefer = "resolution=merge-duplicates"});
  ASSERT_TRUE(merge);
  ASSERT_TRUE(merge->upsert);
  EXPECT_EQ(merge->upsert->on_conflict, std::vector{store::ItemColumn::id});
  EXPECT_FALSE(merge->upsert->ignore_duplicates);
  auto ignore = parse_request(http::Method::post, "on_conflict=id",
                              {.prefer = "resolution=ignore-duplicates"});
  ASSERT_TRUE(ignore && ignore->upsert);
  EXPECT_TRUE(ignore->upsert->ignore_duplicates);
  EXPECT_FALSE(parse_request(http::Method::post, "on_conflict=id", {})->upsert);
  EXPECT_FALSE(
      parse_request(http::Method::patch, "", {.prefer = "resolution=merge-duplicates"})->upsert);
}

TEST(RestRequest, ErrorsComeInPostgrestOrder) {
  // profile (406) before the query (400) before Accept (406).
  auto profile = parse_request(http::Method::get, "title=noop.x",
                               {.accept = "text/csv", .accept_profile = "x"});
  ASSERT_FALSE(profile);
  EXPECT_EQ(profile.error().public_code, ErrorCode::invalid_schema);
  auto query = parse_request(http::Method::get, "title=noop.x", {.accept = "text/csv"});
  ASSERT_FALSE(query);
  EXPECT_EQ(query.error().public_code, ErrorCode::query_parse_failed);
  auto accept = parse_request(http::Method::get, "title=eq.x", {.accept = "text/csv"});
  ASSERT_FALSE(accept);
  EXPECT_EQ(accept.error().public_code, ErrorCode::not_acceptable);
  auto single = parse_request(http::Method::get, "title=eq.x",
                              {.accept = "application/vnd.pgrst.object+json"});
  ASSERT_TRUE(single);
  EXPECT_TRUE(single->media.single);
}

}  // namespace
}  // namespace latchkey::api::rest
