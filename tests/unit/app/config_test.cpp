#include "app/config.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "crypto/init.hpp"

namespace latchkey::app {
namespace {

TEST(ParseListen, Table) {
  struct Case {
    const char* text;
    bool ok;
    const char* host;
    uint16_t port;
  };
  const Case cases[] = {
      {"127.0.0.1:8000", true, "127.0.0.1", 8000},
      {"0.0.0.0:0", true, "0.0.0.0", 0},
      {"[::1]:9000", true, "::1", 9000},
      {"localhost:80", true, "localhost", 80},
      {"nonsense", false, "", 0},
      {"127.0.0.1:", false, "", 0},
      {":8000", false, "", 0},
      {"127.0.0.1:70000", false, "", 0},
      {"127.0.0.1:80x", false, "", 0},
      {"[::1]9000", false, "", 0},
  };
  for (const auto& c : cases) {
    auto r = parse_listen(c.text);
    ASSERT_EQ(bool(r), c.ok) << c.text;
    if (c.ok) {
      EXPECT_EQ(r->host, c.host);
      EXPECT_EQ(r->port, c.port);
    }
  }
}

TEST(EffectiveMaxConnections, FitsBelowTheDescriptorLimit) {
  struct Case {
    size_t configured;
    uint64_t limit;
    uint64_t reserved;
    size_t expected;
  };
  const Case cases[] = {
      {20000, 1048576, 120, 20000},     // plenty of descriptors: as configured
      {20000, 20000, 120, 19880},       // capped, room kept for the rest
      {20000, 20120, 120, 20000},       // exactly enough
      {100, 64, 88, 1},                 // nothing left: still serve one
      {100, 88, 88, 1},                 // the boundary itself
      {20000, UINT64_MAX, 120, 20000},  // unlimited
      {1000000, 1024, 100, 924},        // the common soft limit of 1024
  };
  for (const auto& c : cases) {
    EXPECT_EQ(effective_max_connections(c.configured, c.limit, c.reserved), c.expected)
        << c.configured << " " << c.limit << " " << c.reserved;
  }
}

TEST(DatabaseUrl, SqliteForms) {
  Config c;
  c.data_dir = "/d";
  EXPECT_EQ(parse_database_url(c)->location, "/d/latchkey.db");
  c.database_url = "sqlite:/tmp/x.db";
  EXPECT_EQ(parse_database_url(c)->location, "/tmp/x.db");
  c.database_url = "sqlite:///tmp/x.db";
  EXPECT_EQ(parse_database_url(c)->location, "/tmp/x.db");
  c.database_url = "mysql://x";
  EXPECT_FALSE(parse_database_url(c));
  c.database_url = "postgres://u@h/db";
  EXPECT_EQ(parse_database_url(c)->kind, DatabaseTarget::Kind::postgres);
}

class SecretTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::init());
    dir_ = std::filesystem::temp_directory_path() /
           ("latchkey-secret-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    unsetenv("LATCHKEY_JWT_SECRET");
    unsetenv("SECRET_KEY");
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    unsetenv("LATCHKEY_JWT_SECRET");
    unsetenv("SECRET_KEY");
  }
  std::filesystem::path dir_;
};

TEST_F(SecretTest, GeneratedOnceWithOwnerOnlyPermissionsAndKept) {
  auto first = resolve_jwt_secret(dir_);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_GE(first->size(), 32u);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "jwt_secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto second = resolve_jwt_secret(dir_);
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);
}

TEST_F(SecretTest, EnvironmentWinsAndShortSecretsAreRefusedWithAdvice) {
  setenv("SECRET_KEY", std::string(40, 's').c_str(), 1);
  EXPECT_EQ(*resolve_jwt_secret(dir_), std::string(40, 's'));
  setenv("LATCHKEY_JWT_SECRET", "short", 1);
  auto r = resolve_jwt_secret(dir_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("openssl rand"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "jwt_secret"));
}

TEST_F(SecretTest, DotenvDoesNotOverrideTheEnvironment) {
  const auto path = (dir_ / ".env").string();
  std::ofstream(path) << "# comment\nexport LK_TEST_A=\"from file\"\nLK_TEST_B=b # trailing\n"
                         "LK_TEST_C='c'\n";
  setenv("LK_TEST_A", "from env", 1);
  ASSERT_TRUE(load_dotenv(path));
  EXPECT_STREQ(std::getenv("LK_TEST_A"), "from env");
  EXPECT_STREQ(std::getenv("LK_TEST_B"), "b");
  EXPECT_STREQ(std::getenv("LK_TEST_C"), "c");
  std::ofstream(path) << "garbage line\n";
  EXPECT_FALSE(load_dotenv(path));
}

}  // namespace
}  // namespace latchkey::app
