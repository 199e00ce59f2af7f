// Two server processes on one database: a revocation made on one node holds on the other
// ("refused from then on, on every server node"). Each node has its own data directory
// (a data directory is locked by one process) and both name the same SQLite file.
#include "test_support.hpp"

namespace latchkey::test {
namespace {

class MultiNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    const std::string url = "sqlite:" + (shared_.path() / "latchkey.db").string();
    a_ = ServerProcess::start(ServeOptions().args({"--database-url", url}), &error);
    ASSERT_TRUE(a_) << "node a: " << error;
    b_ = ServerProcess::start(ServeOptions().args({"--database-url", url}), &error);
    ASSERT_TRUE(b_) << "node b on the same database: " << error;
  }
  HttpClient a() const { return HttpClient(a_->port()); }
  HttpClient b() const { return HttpClient(b_->port()); }

  TempDir shared_;
  std::unique_ptr<ServerProcess> a_;
  std::unique_ptr<ServerProcess> b_;
};

TEST_F(MultiNodeTest, LogoutOnOneNodeIsHonouredOnTheOther) {
  const Account u = register_account(a(), "nodes");
  ASSERT_TRUE(u.ok) << u.error;
  ASSERT_EQ(b().get("/auth/me", u.auth()).status, 200) << "node b does not know the user";
  ASSERT_EQ(b().post("/auth/logout", json::object(), u.auth()).status, 200);
  EXPECT_TRUE(IsUnauthorized(a().get("/auth/me", u.auth())));
  EXPECT_TRUE(IsUnauthorized(a().get("/data", u.auth())));
  EXPECT_TRUE(IsErrorBody(a().post("/auth/refresh", {{"refresh_token", u.refresh_token}}), 401));
}

TEST_F(MultiNodeTest, RefreshReuseOnOneNodeRevokesOnTheOther) {
  const Account u = register_account(a(), "nodereuse");
  ASSERT_TRUE(u.ok) << u.error;
  const Response first = a().post("/auth/refresh", {{"refresh_token", u.refresh_token}});
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string newest_access = first.json()["access_token"];
  ASSERT_EQ(a().get("/auth/me", bearer(newest_access)).status, 200);
  EXPECT_TRUE(IsErrorBody(b().post("/auth/refresh", {{"refresh_token", u.refresh_token}}), 401));
  EXPECT_TRUE(IsUnauthorized(a().get("/auth/me", bearer(newest_access))));
}

TEST_F(MultiNodeTest, ItemsWrittenOnOneNodeAreReadOnTheOther) {
  const Account u = register_account(a(), "nodedata");
  ASSERT_TRUE(u.ok) << u.error;
  const Response created = a().post("/data", {{"title", "t"}, {"content", "c"}}, u.auth());
  ASSERT_EQ(created.status, 200) << created.body;
  const Response got = b().get("/data/" + created.json()["id"].get<std::string>(), u.auth());
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json(), created.json());
}

}  // namespace
}  // namespace latchkey::test
