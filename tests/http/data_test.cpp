// /data: CRUD on one user's items, validation, paging, and isolation between users.
#include <atomic>
#include <set>
#include <thread>

#include "test_support.hpp"
#include "backends.hpp"

namespace latchkey::test {
namespace {

LATCHKEY_SUITE_BACKENDS(DataTest, both);

std::string repeat(std::string_view unit, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += unit;
  return out;
}

class DataTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure()) return;
    alice_ = new_account("alice");
    ASSERT_TRUE(alice_.ok) << alice_.error;
    bob_ = new_account("bob");
    ASSERT_TRUE(bob_.ok) << bob_.error;
  }

  // POST /data as `who`; the created item, or a failure.
  static json create(const Account& who, const json& body) {
    const Response r = client().post("/data", body, who.auth());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json() : json(json::value_t::discarded);
  }
  static std::string item_path(const json& item) {
    return "/data/" + item.value("id", std::string("missing-id"));
  }

  Account alice_;
  Account bob_;
};

void expect_item(const json& item, const Account& owner) {
  ASSERT_TRUE(item.is_object()) << item.dump();
  for (const char* key :
       {"id", "title", "content", "metadata", "user_id", "created_at", "updated_at"}) {
    EXPECT_TRUE(item.contains(key)) << "missing " << key << ": " << item.dump();
  }
  EXPECT_TRUE(is_uuid(item.value("id", ""))) << item.dump();
  EXPECT_EQ(item.value("user_id", ""), owner.id) << item.dump();
  EXPECT_TRUE(item["metadata"].is_object() || item["metadata"].is_null()) << item.dump();
  const auto created = parse_time_us(item.value("created_at", ""));
  const auto updated = parse_time_us(item.value("updated_at", ""));
  ASSERT_TRUE(created && updated) << "times are not RFC 3339 with a zone: " << item.dump();
  EXPECT_LE(*created, *updated) << item.dump();
  EXPECT_LT(std::llabs(*created - now_us()), int64_t(120) * 1000 * 1000) << item.dump();
}

TEST_F(DataTest, CreateReturnsTheItem) {
  const json meta = {{"tags", {"a", "b"}}, {"n", 1.5}, {"nested", {{"deep", true}}}};
  const json item = create(alice_, {{"title", "First"}, {"content", "Body"}, {"metadata", meta}});
  ASSERT_FALSE(item.is_discarded());
  ASSERT_NO_FATAL_FAILURE(expect_item(item, alice_));
  EXPECT_EQ(item["title"], "First");
  EXPECT_EQ(item["content"], "Body");
  EXPECT_EQ(item["metadata"], meta);
}

TEST_F(DataTest, MetadataIsOptionalAndNullable) {
  const json without = create(alice_, {{"title", "t"}, {"content", "c"}});
  ASSERT_FALSE(without.is_discarded());
  EXPECT_TRUE(without["metadata"].is_null()) << without.dump();
  const json with_null = create(alice_, {{"title", "t"}, {"content", "c"}, {"metadata", nullptr}});
  ASSERT_FALSE(with_null.is_discarded());
  EXPECT_TRUE(with_null["metadata"].is_null()) << with_null.dump();
  const json empty =
      create(alice_, {{"title", "t"}, {"content", ""}, {"metadata", json::object()}});
  ASSERT_FALSE(empty.is_discarded());
  EXPECT_EQ(empty["metadata"], json::object());
  EXPECT_EQ(empty["content"], "");
}

TEST_F(DataTest, UnicodeRoundTrips) {
  const std::string title = "Zürich \xF0\x9F\x94\x91 \xE6\x97\xA5\xE6\x9C\xAC";
  const json meta = {{"k\xC3\xA9y", "v\"al\\ue\n"}};
  const json item =
      create(alice_, {{"title", title}, {"content", "\t\"quoted\"\n"}, {"metadata", meta}});
  ASSERT_FALSE(item.is_discarded());
  const Response r = client().get(item_path(item), alice_.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["title"], title);
  EXPECT_EQ(r.json()["content"], "\t\"quoted\"\n");
  EXPECT_EQ(r.json()["metadata"], meta);
}

TEST_F(DataTest, GetReturnsTheStoredItem) {
  const json item =
      create(alice_, {{"title", "get me"}, {"content", "c"}, {"metadata", {{"x", 1}}}});
  ASSERT_FALSE(item.is_discarded());
  const Response r = client().get(item_path(item), alice_.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), item);
}

TEST_F(DataTest, CreateValidation) {
  struct Case {
    const char* why;
    json body;
  };
  const std::vector<Case> cases = {
      {"missing title", {{"content", "c"}}},
      {"missing content", {{"title", "t"}}},
      {"empty title", {{"title", ""}, {"content", "c"}}},
      {"title of 256 chars", {{"title", repeat("t", 256)}, {"content", "c"}}},
      {"title of 256 two-byte chars", {{"title", repeat("é", 256)}, {"content", "c"}}},
      {"null title", {{"title", nullptr}, {"content", "c"}}},
      {"numeric title", {{"title", 7}, {"content", "c"}}},
      {"numeric content", {{"title", "t"}, {"content", 7}}},
      {"object content", {{"title", "t"}, {"content", {{"a", 1}}}}},
      {"array metadata", {{"title", "t"}, {"content", "c"}, {"metadata", {1, 2}}}},
      {"empty array metadata", {{"title", "t"}, {"content", "c"}, {"metadata", json::array()}}},
      {"string metadata", {{"title", "t"}, {"content", "c"}, {"metadata", "x"}}},
      {"number metadata", {{"title", "t"}, {"content", "c"}, {"metadata", 3}}},
      {"bool metadata", {{"title", "t"}, {"content", "c"}, {"metadata", true}}},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(IsValidationError(client().post("/data", c.body, alice_.auth()))) << c.why;
  }
  const Response list = client().get("/data", alice_.auth());
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json(), json::array()) << "a refused create stored something";
}

TEST_F(DataTest, TitleOf255CharactersIsAccepted) {
  for (const std::string& title : {repeat("t", 255), repeat("é", 255)}) {
    const json item = create(alice_, {{"title", title}, {"content", "c"}});
    ASSERT_FALSE(item.is_discarded());
    EXPECT_EQ(item["title"], title);
  }
}

TEST_F(DataTest, UserIdInBodyIsNeverObeyed) {
  const Response r = client().post(
      "/data", {{"title", "sneaky"}, {"content", "c"}, {"user_id", bob_.id}}, alice_.auth());
  if (r.status == 200) {
    EXPECT_EQ(r.json()["user_id"], alice_.id) << r.body;
  } else {
    EXPECT_TRUE(r.status == 400 || r.status == 422) << r.status << " " << r.body;
  }
  const Response bobs = client().get("/data", bob_.auth());
  ASSERT_EQ(bobs.status, 200);
  EXPECT_EQ(bobs.json(), json::array()) << "alice wrote into bob's items";

  const json item = create(alice_, {{"title", "mine"}, {"content", "c"}});
  ASSERT_FALSE(item.is_discarded());
  const Response put =
      client().put(item_path(item), {{"title", "still mine"}, {"user_id", bob_.id}}, alice_.auth());
  if (put.status == 200) {
    EXPECT_EQ(put.json()["user_id"], alice_.id) << put.body;
  }
  EXPECT_EQ(client().get(item_path(item), bob_.auth()).status, 404);
  const Response again = client().get(item_path(item), alice_.auth());
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.json()["user_id"], alice_.id);
}

TEST_F(DataTest, OtherUsersItemIsNotFoundAndUntouched) {
  const json item =
      create(alice_, {{"title", "private"}, {"content", "secret"}, {"metadata", {{"k", 1}}}});
  ASSERT_FALSE(item.is_discarded());
  const std::string path = item_path(item);

  EXPECT_TRUE(IsError(client().get(path, bob_.auth()), 404, "Item not found"));
  EXPECT_TRUE(
      IsError(client().put(path, {{"title", "pwned"}}, bob_.auth()), 404, "Item not found"));
  EXPECT_TRUE(IsError(client().del(path, bob_.auth()), 404, "Item not found"));

  const Response after = client().get(path, alice_.auth());
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.json(), item) << "bob changed alice's item";
  const Response bobs = client().get("/data", bob_.auth());
  ASSERT_EQ(bobs.status, 200);
  EXPECT_EQ(bobs.json(), json::array());
}

TEST_F(DataTest, MissingForeignAndMalformedIdsLookTheSame) {
  const json item = create(alice_, {{"title", "t"}, {"content", "c"}});
  ASSERT_FALSE(item.is_discarded());
  const std::vector<std::string> paths = {"/data/00000000-0000-4000-8000-000000000000",
                                          item_path(item), "/data/not-a-uuid", "/data/12345",
                                          "/data/" + item.value("id", std::string()) + "x"};
  std::set<std::string> bodies;
  for (const auto& path : paths) {
    const Response get = client().get(path, bob_.auth());
    EXPECT_TRUE(IsError(get, 404, "Item not found")) << "GET " << path;
    bodies.insert(get.body);
    EXPECT_TRUE(IsError(client().put(path, {{"title", "x"}}, bob_.auth()), 404, "Item not found"))
        << "PUT " << path;
    EXPECT_TRUE(IsError(client().del(path, bob_.auth()), 404, "Item not found"))
        << "DELETE " << path;
  }
  EXPECT_EQ(bodies.size(), 1u) << "404 bodies differ between missing, foreign and malformed ids";
}

TEST_F(DataTest, ListIsNewestFirstAndOnlyMine) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    const json item = create(alice_, {{"title", "n" + std::to_string(i)}, {"content", "c"}});
    ASSERT_FALSE(item.is_discarded());
    ids.push_back(item["id"]);
  }
  ASSERT_FALSE(create(bob_, {{"title", "bob's"}, {"content", "c"}}).is_discarded());
  const Response r = client().get("/data", alice_.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  const json list = r.json();
  ASSERT_TRUE(list.is_array()) << r.body;
  ASSERT_EQ(list.size(), 3u) << r.body;
  EXPECT_EQ(list[0]["id"], ids[2]);
  EXPECT_EQ(list[1]["id"], ids[1]);
  EXPECT_EQ(list[2]["id"], ids[0]);
  for (const auto& item : list) ASSERT_NO_FATAL_FAILURE(expect_item(item, alice_));
}

TEST_F(DataTest, LimitAndOffsetPage) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    const json item = create(alice_, {{"title", "p" + std::to_string(i)}, {"content", "c"}});
    ASSERT_FALSE(item.is_discarded());
    ids.insert(ids.begin(), item["id"].get<std::string>());  // newest first
  }
  const auto page = [&](const std::string& query) {
    std::vector<std::string> out;
    const Response r = client().get("/data?" + query, alice_.auth());
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    for (const auto& item : r.json()) out.push_back(item.value("id", ""));
    return out;
  };
  EXPECT_EQ(page("limit=2"), std::vector<std::string>(ids.begin(), ids.begin() + 2));
  EXPECT_EQ(page("limit=2&offset=2"), std::vector<std::string>(ids.begin() + 2, ids.begin() + 4));
  EXPECT_EQ(page("offset=4"), std::vector<std::string>(ids.begin() + 4, ids.end()));
  EXPECT_EQ(page("offset=5"), std::vector<std::string>());
  EXPECT_EQ(page("offset=1000000"), std::vector<std::string>());
  EXPECT_EQ(page("limit=1000"), ids);
  EXPECT_EQ(page("limit=1&offset=0"), std::vector<std::string>(ids.begin(), ids.begin() + 1));
}

TEST_F(DataTest, DefaultLimitIs100) {
  for (int i = 0; i < 101; ++i) {
    ASSERT_EQ(client()
                  .post("/data", {{"title", "bulk"}, {"content", std::to_string(i)}}, alice_.auth())
                  .status,
              200);
  }
  const Response r = client().get("/data", alice_.auth());
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(r.json().is_array());
  EXPECT_EQ(r.json().size(), 100u);
  EXPECT_EQ(r.json()[0]["content"], "100") << "newest first";
  const Response rest = client().get("/data?offset=100", alice_.auth());
  ASSERT_EQ(rest.status, 200);
  ASSERT_EQ(rest.json().size(), 1u);
  EXPECT_EQ(rest.json()[0]["content"], "0");
}

TEST_F(DataTest, LimitAndOffsetOutOfRangeAre422) {
  for (const char* query :
       {"limit=0", "limit=1001", "limit=-1", "limit=abc", "limit=1.5", "limit=", "offset=-1",
        "offset=x", "offset=0.5", "limit=99999999999999999999", "offset=99999999999999999999"}) {
    EXPECT_TRUE(IsValidationError(client().get(std::string("/data?") + query, alice_.auth())))
        << query;
  }
}

TEST_F(DataTest, UpdateChangesOnlyGivenFieldsAndAdvancesUpdatedAt) {
  const json item =
      create(alice_, {{"title", "before"}, {"content", "keep"}, {"metadata", {{"v", 1}}}});
  ASSERT_FALSE(item.is_discarded());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const Response r = client().put(item_path(item), {{"title", "after"}}, alice_.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  const json updated = r.json();
  ASSERT_NO_FATAL_FAILURE(expect_item(updated, alice_));
  EXPECT_EQ(updated["id"], item["id"]);
  EXPECT_EQ(updated["title"], "after");
  EXPECT_EQ(updated["content"], "keep");
  EXPECT_EQ(updated["metadata"], item["metadata"]);
  EXPECT_EQ(updated["created_at"], item["created_at"]);
  EXPECT_GT(parse_time_us(updated.value("updated_at", "")).value_or(0),
            parse_time_us(item.value("updated_at", "")).value_or(0))
      << item["updated_at"] << " -> " << updated["updated_at"];

  const Response meta =
      client().put(item_path(item), {{"metadata", {{"v", 2}}}, {"content", "new"}}, alice_.auth());
  ASSERT_EQ(meta.status, 200) << meta.body;
  EXPECT_EQ(meta.json()["metadata"], json({{"v", 2}}));
  EXPECT_EQ(meta.json()["content"], "new");
  EXPECT_EQ(meta.json()["title"], "after");

  const Response stored = client().get(item_path(item), alice_.auth());
  ASSERT_EQ(stored.status, 200);
  EXPECT_EQ(stored.json(), meta.json()) << "GET after PUT differs from the PUT answer";
}

TEST_F(DataTest, UpdateWithNothingToChangeIs400) {
  const json item = create(alice_, {{"title", "t"}, {"content", "c"}});
  ASSERT_FALSE(item.is_discarded());
  for (const json& body :
       {json::object(), json({{"title", nullptr}}),
        json({{"title", nullptr}, {"content", nullptr}, {"metadata", nullptr}})}) {
    EXPECT_TRUE(
        IsError(client().put(item_path(item), body, alice_.auth()), 400, "No fields to update"))
        << body.dump();
  }
  const Response stored = client().get(item_path(item), alice_.auth());
  ASSERT_EQ(stored.status, 200);
  EXPECT_EQ(stored.json(), item);
}

TEST_F(DataTest, UpdateValidation) {
  const json item = create(alice_, {{"title", "t"}, {"content", "c"}});
  ASSERT_FALSE(item.is_discarded());
  const std::vector<json> bodies = {
      {{"title", ""}},        {{"title", repeat("t", 256)}}, {{"title", 5}},    {{"content", 5}},
      {{"metadata", {1, 2}}}, {{"metadata", "x"}},           {{"metadata", 1}},
  };
  for (const auto& body : bodies) {
    EXPECT_TRUE(IsValidationError(client().put(item_path(item), body, alice_.auth())))
        << body.dump();
  }
  EXPECT_TRUE(IsValidationError(client().request("PUT", item_path(item), alice_.auth(), "[]")));
  const Response stored = client().get(item_path(item), alice_.auth());
  ASSERT_EQ(stored.status, 200);
  EXPECT_EQ(stored.json(), item) << "a refused update changed the item";
}

// The first validation error's loc and type, for the NUL cases below.
std::pair<json, std::string> first_error(const Response& r) {
  const json j = r.json();
  if (!j.is_object() || !j["detail"].is_array() || j["detail"].empty()) return {json(), ""};
  return {j["detail"][0]["loc"], j["detail"][0].value("type", "")};
}

// Issue 8: PostgreSQL stored "a" for a title of "a\u0000b" and answered 200. U+0000 is now
// refused with a 422 naming the field on every backend, and nothing changes.
TEST_F(DataTest, TextWithNulIsRefusedNamingTheField) {
  const std::string nul("a\0b", 3);
  struct Case {
    json body;
    json loc;
  };
  const std::vector<Case> creates = {
      {{{"title", nul}, {"content", "c"}}, {"body", "title"}},
      {{{"title", "t"}, {"content", nul}}, {"body", "content"}},
      {{{"title", "t"}, {"content", "c"}, {"metadata", {{"k", nul}}}}, {"body", "metadata", "k"}},
      {{{"title", "t"}, {"content", "c"}, {"metadata", {{nul, 1}}}}, {"body", "metadata", nul}},
      {{{"title", "t"}, {"content", "c"}, {"metadata", {{"k", {1, {{"x", nul}}}}}}},
       {"body", "metadata", "k", 1, "x"}},
  };
  for (const auto& c : creates) {
    const Response r = client().post("/data", c.body, alice_.auth());
    ASSERT_TRUE(IsValidationError(r)) << c.body.dump();
    EXPECT_EQ(first_error(r), std::make_pair(c.loc, std::string("string_contains_nul")))
        << r.body;
  }
  const Response list = client().get("/data", alice_.auth());
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(list.json().empty()) << "a refused create stored something: " << list.body;

  const json item = create(alice_, {{"title", "t"}, {"content", "c"}, {"metadata", {{"k", 1}}}});
  ASSERT_FALSE(item.is_discarded());
  for (const auto& c : creates) {
    EXPECT_TRUE(IsValidationError(client().put(item_path(item), c.body, alice_.auth())))
        << c.body.dump();
  }
  const Response stored = client().get(item_path(item), alice_.auth());
  ASSERT_EQ(stored.status, 200);
  EXPECT_EQ(stored.json(), item) << "a refused update changed the item";

  const Response named =
      client().post("/auth/register", {{"email", unique_email("nulname")},
                                       {"password", "correct horse battery"},
                                       {"full_name", nul}});
  ASSERT_TRUE(IsValidationError(named));
  EXPECT_EQ(first_error(named), std::make_pair(json{"body", "full_name"},
                                               std::string("string_contains_nul")));
}

TEST_F(DataTest, DeleteRemovesTheItem) {
  const json keep = create(alice_, {{"title", "keep"}, {"content", "c"}});
  const json item = create(alice_, {{"title", "bye"}, {"content", "c"}});
  ASSERT_FALSE(item.is_discarded() || keep.is_discarded());
  const Response r = client().del(item_path(item), alice_.auth());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), json({{"message", "Item deleted successfully"}})) << r.body;
  EXPECT_TRUE(IsError(client().get(item_path(item), alice_.auth()), 404, "Item not found"));
  EXPECT_TRUE(IsError(client().del(item_path(item), alice_.auth()), 404, "Item not found"));
  EXPECT_TRUE(IsError(client().put(item_path(item), {{"title", "x"}}, alice_.auth()), 404,
                      "Item not found"));
  const Response list = client().get("/data", alice_.auth());
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json().size(), 1u) << list.body;
  EXPECT_EQ(list.json()[0]["id"], keep["id"]);
}

TEST_F(DataTest, EveryDataRouteNeedsAToken) {
  const json item = create(alice_, {{"title", "t"}, {"content", "c"}});
  ASSERT_FALSE(item.is_discarded());
  EXPECT_TRUE(IsUnauthorized(client().get("/data")));
  EXPECT_TRUE(IsUnauthorized(client().post("/data", {{"title", "t"}, {"content", "c"}})));
  EXPECT_TRUE(IsUnauthorized(client().get(item_path(item))));
  EXPECT_TRUE(IsUnauthorized(client().put(item_path(item), {{"title", "x"}})));
  EXPECT_TRUE(IsUnauthorized(client().del(item_path(item))));
  const Response stored = client().get(item_path(item), alice_.auth());
  EXPECT_EQ(stored.json(), item);
}

TEST_F(DataTest, ConcurrentCreatesAreAllStored) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 15; ++i) {
        const Response r = client().post(
            "/data", {{"title", "c" + std::to_string(t)}, {"content", std::to_string(i)}},
            alice_.auth());
        if (r.status == 200) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 60);
  const Response list = client().get("/data?limit=1000", alice_.auth());
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json().size(), 60u);
  std::set<std::string> ids;
  for (const auto& item : list.json()) ids.insert(item.value("id", ""));
  EXPECT_EQ(ids.size(), 60u) << "duplicate ids";
}

}  // namespace
}  // namespace latchkey::test
