// /rest/v1/user_data over HTTP, as the real server answers it: the gateway, roles (anon,
// a user, service_role), PostgREST's statuses, headers and error bodies, and writes that are
// undone when .single() or max-affected refuse them. supabase-js drives the same routes in
// SupabaseJsTest; these pin what the client library hides.
#include "backends.hpp"
#include "test_support.hpp"

namespace latchkey::test {
namespace {

LATCHKEY_SUITE_BACKENDS(RestV1Test, both);

constexpr std::string_view kTable = "/rest/v1/user_data";

class RestV1Test : public ApiTest {
 protected:
  const std::string anon = test_api_key("anon");
  const std::string service = test_api_key("service_role");

  // What supabase-js sends: the anon key as apikey, and a bearer (a user's token or a key).
  Headers as(const std::string& bearer_token, Headers more = {}) const {
    more.push_back({"apikey", anon});
    more.push_back({"Authorization", "Bearer " + bearer_token});
    return more;
  }
  Response send(std::string_view method, const std::string& query, const Headers& headers,
                const std::string& body = {}) const {
    return client().request(method, std::string(kTable) + query, headers, body);
  }
  // Inserts rows for `token` and returns them.
  json insert(const std::string& token, const json& rows) const {
    const Response r = send("POST", "?select=*", as(token, {{"Prefer", "return=representation"},
                                                             {"Content-Type", "application/json"}}),
                            rows.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }
  static std::string code_of(const Response& r) { return r.json().value("code", ""); }
};

TEST_F(RestV1Test, TheGatewayWantsAnApiKeyAndAnsweredLikeSupabase) {
  const Response missing = client().get(std::string(kTable));
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.json()["message"], "No API key found in request") << missing.body;
  const Response unknown = client().get(std::string(kTable), {{"apikey", anon + "x"}});
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.json()["message"], "Invalid API key") << unknown.body;
  EXPECT_EQ(client().get(std::string(kTable) + "?apikey=" + anon).status, 200) << "query form";
}

TEST_F(RestV1Test, AnonSeesNothingAndCannotWrite) {
  const auto alice = new_account("restanon");
  insert(alice.access_token, {{{"title", "mine"}, {"content", "c"}}});
  const Response read = send("GET", "?select=*", as(anon));
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.json(), json::array());
  EXPECT_EQ(read.header("Content-Range"), "*/*");
  const Response write = send("POST", "", as(anon), R"({"title":"t","content":"c"})");
  EXPECT_EQ(write.status, 401) << "42501 is 401 for anon";
  EXPECT_EQ(code_of(write), "42501") << write.body;
  EXPECT_EQ(write.header("Proxy-Status"), "PostgREST; error=42501");
  const json body = write.json();
  for (const char* key : {"code", "details", "hint", "message"})
    EXPECT_TRUE(body.contains(key)) << key << " missing from " << write.body;
}

TEST_F(RestV1Test, UsersSeeAndChangeOnlyTheirOwnRowsAndServiceRoleSeesAll) {
  const auto alice = new_account("restalice");
  const auto bob = new_account("restbob");
  const json mine = insert(alice.access_token, {{{"title", "a1"}, {"content", "c"}}});
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["user_id"], alice.id) << "user_id defaults to the caller";
  const std::string id = mine[0]["id"];
  insert(bob.access_token, {{{"title", "b1"}, {"content", "c"}}});

  const Response bobs_view = send("GET", "?select=id&id=eq." + id, as(bob.access_token));
  EXPECT_EQ(bobs_view.json(), json::array()) << "silently absent";
  const Response bobs_patch = send("PATCH", "?id=eq." + id, as(bob.access_token),
                                   R"({"title":"stolen"})");
  EXPECT_EQ(bobs_patch.status, 204);
  EXPECT_EQ(bobs_patch.header("Content-Range"), "*/*") << "no row changed";
  const Response bobs_delete = send("DELETE", "?id=eq." + id, as(bob.access_token));
  EXPECT_EQ(bobs_delete.status, 204);
  const Response handed = send("POST", "", as(bob.access_token),
                               json{{"title", "t"}, {"content", "c"}, {"user_id", alice.id}}.dump());
  EXPECT_EQ(handed.status, 403);
  EXPECT_EQ(code_of(handed), "42501");

  const Response still = send("GET", "?select=title&id=eq." + id, as(alice.access_token));
  EXPECT_EQ(still.json(), json::array({{{"title", "a1"}}})) << still.body;
  const Response all = send("GET", "?select=user_id&user_id=in.(" + alice.id + "," + bob.id + ")",
                            as(service, {{"Prefer", "count=exact"}}));
  EXPECT_EQ(all.status, 200);
  EXPECT_EQ(all.json().size(), 2u) << all.body;
  EXPECT_EQ(all.header("Content-Range"), "0-1/2");
}

TEST_F(RestV1Test, CountsRangesAndSingleObjects) {
  const auto u = new_account("restrange");
  const json rows = insert(u.access_token, {{{"title", "r1"}, {"content", "c"}},
                                            {{"title", "r2"}, {"content", "c"}},
                                            {{"title", "r3"}, {"content", "c"}}});
  ASSERT_EQ(rows.size(), 3u);
  const auto h = as(u.access_token, {{"Prefer", "count=exact"}});
  const Response page = send("GET", "?select=title&order=title.desc&limit=2", h);
  EXPECT_EQ(page.status, 206);
  EXPECT_EQ(page.header("Content-Range"), "0-1/3");
  EXPECT_EQ(page.header("Preference-Applied"), "count=exact");
  EXPECT_EQ(page.json(), json::parse(R"([{"title":"r3"},{"title":"r2"}])"));
  const Response ranged = send("GET", "?select=title&order=title", as(u.access_token,
                                   {{"Prefer", "count=exact"}, {"Range", "1-2"}}));
  EXPECT_EQ(ranged.status, 206);
  EXPECT_EQ(ranged.header("Content-Range"), "1-2/3");
  const Response past = send("GET", "?select=title&offset=5", h);
  EXPECT_EQ(past.status, 416);
  EXPECT_EQ(code_of(past), "PGRST103");
  EXPECT_EQ(past.header("Content-Range"), "*/3");
  const Response head = send("HEAD", "?select=*", h);
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("Content-Range"), "0-2/3");

  const auto object = as(u.access_token, {{"Accept", "application/vnd.pgrst.object+json"}});
  const Response one = send("GET", "?select=title&title=eq.r2", object);
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(one.json(), json({{"title", "r2"}}));
  EXPECT_EQ(one.header("Content-Type"), "application/vnd.pgrst.object+json; charset=utf-8");
  const Response many = send("GET", "?select=title", object);
  EXPECT_EQ(many.status, 406);
  EXPECT_EQ(code_of(many), "PGRST116");
  EXPECT_EQ(many.json()["details"], "The result contains 3 rows");
}

TEST_F(RestV1Test, RefusedWritesChangeNothing) {
  const auto u = new_account("restundo");
  insert(u.access_token, {{{"title", "x1"}, {"content", "same"}}, {{"title", "x2"}, {"content", "same"}}});
  const auto object = as(u.access_token, {{"Accept", "application/vnd.pgrst.object+json"},
                                          {"Prefer", "return=representation"}});
  const Response single = send("PATCH", "?content=eq.same", object, R"({"content":"changed"})");
  EXPECT_EQ(single.status, 406);
  EXPECT_EQ(code_of(single), "PGRST116");
  const Response capped = send("DELETE", "?content=eq.same",
                               as(u.access_token, {{"Prefer", "handling=strict, max-affected=1"}}));
  EXPECT_EQ(capped.status, 400);
  EXPECT_EQ(code_of(capped), "PGRST124");
  const Response unfiltered = send("DELETE", "", as(u.access_token));
  EXPECT_EQ(unfiltered.status, 400);
  EXPECT_EQ(code_of(unfiltered), "21000");
  EXPECT_EQ(unfiltered.json()["message"], "DELETE requires a WHERE clause");
  EXPECT_EQ(code_of(send("PATCH", "", as(u.access_token), R"({"title":"all"})")), "21000");
  const Response strict = send("GET", "", as(u.access_token, {{"Prefer", "handling=strict, bogus"}}));
  EXPECT_EQ(strict.status, 400);
  EXPECT_EQ(code_of(strict), "PGRST122");

  const Response rows = send("GET", "?select=title,content&order=title", as(u.access_token));
  EXPECT_EQ(rows.json(), json::parse(R"([{"title":"x1","content":"same"},
                                         {"title":"x2","content":"same"}])"));
  const Response deleted = send("DELETE", "?title=eq.x1",
                                as(u.access_token, {{"Prefer", "return=representation, count=exact"}}));
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.json().size(), 1u);
  EXPECT_EQ(deleted.header("Content-Range"), "*/1");
}

TEST_F(RestV1Test, WritesStoreExactlyWhatWasSent) {
  const auto u = new_account("restexact");
  const json sent = {{"title", "Zoë 🚀 \u202e"}, {"content", "line\nbreak \"quoted\""},
                     {"metadata", {{"nested", {{"deep", {1, 2.5, "x", nullptr}}}}, {"b", true}}}};
  const json back = insert(u.access_token, json::array({sent}));
  ASSERT_EQ(back.size(), 1u);
  const Response read = send("GET", "?select=title,content,metadata&id=eq." +
                                        back[0]["id"].get<std::string>(), as(u.access_token));
  ASSERT_EQ(read.json().size(), 1u);
  EXPECT_EQ(read.json()[0], sent);
  const Response headers_only = send("POST", "", as(u.access_token, {{"Prefer", "return=headers-only"}}),
                                     R"({"title":"t","content":"c"})");
  EXPECT_EQ(headers_only.status, 201);
  EXPECT_TRUE(headers_only.body.empty());
  EXPECT_EQ(headers_only.header("Location").value_or("").rfind("/user_data?id=eq.", 0), 0u);
}

TEST_F(RestV1Test, BadRequestsGetPostgrestCodes) {
  const auto u = new_account("restbad");
  const auto h = as(u.access_token);
  EXPECT_EQ(code_of(send("GET", "?id=eq.not-a-uuid", h)), "22P02");
  EXPECT_EQ(code_of(send("GET", "?nosuch=eq.1", h)), "42703");
  EXPECT_EQ(code_of(send("GET", "?title=nosuchop.1", h)), "PGRST100");
  EXPECT_EQ(code_of(send("POST", "", h, R"({"title":"t","content":"c","nosuch":1})")), "PGRST204");
  EXPECT_EQ(code_of(send("POST", "", h, "{not json")), "PGRST102");
  EXPECT_EQ(code_of(send("POST", "", h, R"({"content":"c"})")), "23502");
  EXPECT_EQ(code_of(send("GET", "", as(u.access_token, {{"Accept", "text/csv"}}))), "PGRST107");
  const Response table = client().get("/rest/v1/nosuch", as(u.access_token));
  EXPECT_EQ(table.status, 404);
  EXPECT_EQ(code_of(table), "PGRST205");
  EXPECT_EQ(table.json()["message"], "Could not find the table 'public.nosuch' in the schema cache");
  const Response put = send("PUT", "?id=eq.1", h, "{}");
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(put.header("Allow"), "GET, HEAD, POST, PATCH, DELETE") << "each method once";
}

TEST_F(RestV1Test, TokensThatCannotBeAcceptedAre401NotAnon) {
  const auto u = new_account("resttoken");
  const Response forged = send("GET", "", as(u.access_token + "x"));
  EXPECT_EQ(forged.status, 401);
  EXPECT_EQ(code_of(forged), "PGRST301");
  EXPECT_EQ(forged.header("WWW-Authenticate").value_or("").rfind("Bearer error=\"invalid_token\"", 0),
            0u);
  const Response expired = send("GET", "", as(test_api_key("service_role", -100)));
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(code_of(expired), "PGRST303");
  // latchkey, unlike PostgREST, refuses a token whose session was closed.
  ASSERT_EQ(client().post("/auth/logout", json::object(), u.auth()).status, 200);
  EXPECT_EQ(send("GET", "", as(u.access_token)).status, 401);
}

}  // namespace
}  // namespace latchkey::test
