// Item ids in URLs: only the canonical spelling of an id reaches the store (review issue #8).
#include "pg_support.hpp"
#include "sqlite_file.hpp"
#include "test_support.hpp"

namespace latchkey::test {
namespace {

// A row planted straight into the database, because the API never lets a client pick an
// id: this one ends in a zero byte, which is what the dash-skipping parser produced for
// 36-char strings with two dashes too many.
constexpr std::string_view kPlantedId = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaa00";

class ItemIdTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure()) return;
    if (postgres_requested()) GTEST_SKIP() << "plants a row in the SQLite file";
    alice_ = new_account("ids");
    ASSERT_TRUE(alice_.ok) << alice_.error;
    // REPLACE: the suite shares one server, and each test plants the row for its own user.
    SqliteFile db(server().data_dir() / "latchkey.db", SqliteFile::Mode::read_write);
    const std::string now = std::to_string(now_us());
    db.run(
        "INSERT OR REPLACE INTO user_data_all (id, user_id, title, content, metadata, created_at,"
        " updated_at) VALUES (?1, ?2, 'planted', 'c', NULL, CAST(?3 AS INTEGER),"
        " CAST(?3 AS INTEGER))",
        {std::string(kPlantedId), alice_.id, now});
  }

  Account alice_;
};

TEST_F(ItemIdTest, NonCanonicalSpellingsNeverReachTheOwnersItem) {
  const std::string canonical = "/data/" + std::string(kPlantedId);
  const Response own = client().get(canonical, alice_.auth());
  ASSERT_EQ(own.status, 200) << "the planted item is not reachable at all: " << own.body;
  EXPECT_EQ(own.json().value("title", ""), "planted");

  for (const std::string id :
       {"aa--aaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa", "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaa--",
        "aaaaaaaa-aaaa-aaaa-aaaa-aaaa--aaaaaa"}) {
    const std::string path = "/data/" + id;
    EXPECT_TRUE(IsError(client().get(path, alice_.auth()), 404, "Item not found")) << "GET " << id;
    EXPECT_TRUE(
        IsError(client().put(path, {{"title", "renamed"}}, alice_.auth()), 404, "Item not found"))
        << "PUT " << id;
    EXPECT_TRUE(IsError(client().del(path, alice_.auth()), 404, "Item not found"))
        << "DELETE " << id;
  }
  const Response after = client().get(canonical, alice_.auth());
  ASSERT_EQ(after.status, 200) << "a non-canonical id changed the item: " << after.body;
  EXPECT_EQ(after.json().value("title", ""), "planted");
}

TEST_F(ItemIdTest, UpperCaseIsTheSameIdAndOtherSpellingsAreNotFound) {
  const std::string upper = "AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAA00";
  EXPECT_EQ(client().get("/data/" + upper, alice_.auth()).status, 200);
  const std::string id(kPlantedId);
  for (const std::string& spelling :
       {"{" + id + "}", "urn:uuid:" + id, std::string("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa00"),
        id.substr(0, 35), id + "0", id.substr(0, 7) + "-a" + id.substr(9)}) {
    EXPECT_TRUE(IsError(client().get("/data/" + spelling, alice_.auth()), 404, "Item not found"))
        << spelling;
  }
}

}  // namespace
}  // namespace latchkey::test
