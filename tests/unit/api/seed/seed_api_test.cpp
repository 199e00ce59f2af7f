// The seed surface through the real pipeline, without sockets: a table of
// (method, path, body, token state) -> status, over the real services on a temporary store.
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>

#include "api/core/pipeline.hpp"
#include "api/core/route_table.hpp"
#include "api/seed/seed_surface.hpp"
#include "core/worker_pool.hpp"
#include "support/services.hpp"

namespace latchkey::api {
namespace {

enum class Token { none, valid, revoked, expired, forged, other_scheme };

const char* name(Token t) {
  switch (t) {
    case Token::none:
      return "no token";
    case Token::valid:
      return "valid";
    case Token::revoked:
      return "revoked";
    case Token::expired:
      return "expired";
    case Token::forged:
      return "forged";
    case Token::other_scheme:
      return "Basic";
  }
  return "?";
}

class SeedApiTest : public ::testing::Test {
 protected:
  SeedApiTest()
      : seed_{*s_.auth, *s_.items, *s_.accounts, *s_.mail, [] { return Result<void>{}; }},
        store_pool_("t-db", 2, 64),
        hash_pool_("t-hash", 1, 64) {
    seed::add_seed_surface(routes_, seed_);
    pipeline_ = std::make_unique<Pipeline>(
        PipelineDeps{routes_, *s_.auth, store_pool_, hash_pool_}, PipelineOptions{});
    valid_ = account("valid@example.com");
    const auto revoked = account("revoked@example.com");
    revoked_ = revoked.access_token;
    EXPECT_TRUE(s_.auth->logout(s_.auth->verify_access_token(revoked_).value()));
    // Correctly signed, expired an hour ago.
    const auto who = s_.auth->verify_access_token(valid_.access_token).value();
    crypto::AccessClaims c;
    c.sub = who.user_id.str();
    c.session_id = who.session_id.str();
    c.email = who.email;
    c.role = c.aud = "authenticated";
    c.iss = "latchkey";
    c.iat = s_.clock.now_s() - 7200;
    c.exp = s_.clock.now_s() - 3600;
    expired_ = s_.jwt.sign(c);
    forged_ = valid_.access_token;
    forged_.back() = forged_.back() == 'A' ? 'B' : 'A';
  }

  auth::TokenPair account(const std::string& email) {
    auto r = s_.auth->register_hashed(email, s_.auth->hash_password("password1"), "{}", {});
    EXPECT_TRUE(r);
    return r->tokens;
  }

  http::Response call(http::Method method, std::string target, Token token,
                      std::string body = {}) {
    http::Request req;
    req.method = method;
    const auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    req.body = std::move(body);
    req.remote_ip = "192.0.2.10";
    const std::string bearer = token == Token::valid     ? valid_.access_token
                               : token == Token::revoked ? revoked_
                               : token == Token::expired ? expired_
                                                         : forged_;
    if (token == Token::other_scheme) req.headers.push_back({"Authorization", "Basic " + bearer});
    else if (token != Token::none) req.headers.push_back({"Authorization", "Bearer " + bearer});
    auto done = std::make_shared<std::promise<http::Response>>();
    auto answered = done->get_future();
    pipeline_->handle(std::move(req), [done](http::Response r) { done->set_value(std::move(r)); });
    return answered.get();
  }

  testing::Services s_;
  seed::SeedDeps seed_;
  core::WorkerPool store_pool_;
  core::WorkerPool hash_pool_;
  RouteTable routes_;
  std::unique_ptr<Pipeline> pipeline_;
  auth::TokenPair valid_;
  std::string revoked_, expired_, forged_;
};

TEST_F(SeedApiTest, StatusTable) {
  using M = http::Method;
  struct Row {
    M method;
    const char* target;
    Token token;
    const char* body;
    int status;
  };
  const std::string item = R"({"title":"t","content":"c"})";
  const Row rows[] = {
      {M::get, "/", Token::none, "", 200},
      {M::get, "/health", Token::none, "", 200},
      {M::get, "/nothing", Token::none, "", 404},
      {M::del, "/auth/me", Token::valid, "", 405},
      {M::get, "/auth/me", Token::valid, "", 200},
      {M::head, "/auth/me", Token::valid, "", 200},
      {M::post, "/auth/register", Token::none, "{", 422},
      {M::post, "/auth/register", Token::none, R"({"email":"new@example.com","password":"password1"})", 200},
      {M::post, "/auth/register", Token::none, R"({"email":"valid@example.com","password":"password1"})", 400},
      {M::post, "/auth/login", Token::none, R"({"email":"valid@example.com","password":"password1"})", 200},
      {M::post, "/auth/login", Token::none, R"({"email":"valid@example.com","password":"wrong-pass"})", 401},
      {M::post, "/auth/refresh", Token::none, R"({"refresh_token":"nope"})", 401},
      {M::post, "/data", Token::valid, item.c_str(), 200},
      {M::get, "/data", Token::valid, "", 200},
      {M::get, "/data?limit=0", Token::valid, "", 422},
      {M::get, "/data/not-a-uuid", Token::valid, "", 404},
      {M::post, "/data", Token::valid, R"({"title":""})", 422},
      {M::put, "/data/00000000-0000-4000-8000-000000000000", Token::valid, R"({"title":"x"})", 404},
  };
  for (const Row& r : rows) {
    const auto got = call(r.method, r.target, r.token, r.body);
    EXPECT_EQ(got.status, r.status) << method_name(r.method) << " " << r.target << " ("
                                    << name(r.token) << ") " << got.body;
  }
}

// Authentication comes before anything else on every protected route (issue 8): whatever the
// request, a missing or bad token is 401.
TEST_F(SeedApiTest, EveryProtectedRouteIs401WithoutAGoodTokenWhateverTheRequest) {
  using M = http::Method;
  struct Req {
    M method;
    const char* target;
    const char* body;
  };
  const Req requests[] = {
      {M::get, "/auth/me", ""},          {M::post, "/auth/logout", ""},
      {M::get, "/data", ""},             {M::get, "/data?limit=0", ""},
      {M::post, "/data", R"({"title":""})"}, {M::post, "/data", "not json"},
      {M::get, "/data/not-a-uuid", ""},  {M::put, "/data/x", "{}"},
      {M::del, "/data/00000000-0000-4000-8000-000000000000", ""},
  };
  for (const Req& r : requests) {
    for (Token t : {Token::none, Token::revoked, Token::expired, Token::forged, Token::other_scheme}) {
      const auto got = call(r.method, r.target, t, r.body);
      EXPECT_EQ(got.status, 401) << r.target << " " << r.body << " (" << name(t) << ") " << got.body;
      bool challenge = false;
      for (const auto& h : got.headers) challenge |= h.name == "WWW-Authenticate";
      EXPECT_TRUE(challenge) << r.target << " (" << name(t) << ")";
    }
  }
}

TEST_F(SeedApiTest, ErrorsUseTheTutorialBody) {
  const auto got = call(http::Method::get, "/data/not-a-uuid", Token::valid);
  const auto body = nlohmann::json::parse(got.body);
  EXPECT_EQ(body["detail"], "Item not found");
  EXPECT_EQ(body["message"], "Item not found");
  EXPECT_EQ(body["error"], true);
  EXPECT_EQ(body["status_code"], 404);
}

}  // namespace
}  // namespace latchkey::api
