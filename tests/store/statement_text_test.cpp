// No SQL text a store runs comes from a request (review issue #8). Row-level security and the
// SQLite owner views confine statements the store itself wrote; they are no sandbox for SQL a
// client wrote (on PostgreSQL such SQL could call set_config('request.jwt.claims', ...) and
// become someone else). What keeps client SQL out is that every statement text is a constant
// of the store and request values only travel as bound parameters, which this checks: the
// same round of store calls with hostile values runs exactly the statement texts the round
// with plain values ran, and none of those texts contains a value.
#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "postgres_backend.hpp"
#include "store/postgres/pg_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace latchkey::store::testing {
namespace {

constexpr core::Micros kT0 = 1'700'000'000'000'000;
constexpr core::Micros kHour = 3'600'000'000;

// Every distinct statement text the store's connections ran since the last take().
class StatementLog {
 public:
  StatementObserver observer() {
    return [this](std::string_view sql) {
      std::lock_guard lock(mu_);
      texts_.emplace(sql);
    };
  }
  std::set<std::string> take() {
    std::lock_guard lock(mu_);
    return std::exchange(texts_, {});
  }

 private:
  std::mutex mu_;
  std::set<std::string> texts_;
};

// Everything a client can put into a store call, for one round of calls.
struct RequestValues {
  std::string email, full_name, password_hash, refresh_a, refresh_b, title, content, meta_value,
      address, user_agent;
  std::vector<std::string> all() const {
    return {email, full_name, password_hash, refresh_a, refresh_b,
            title, content,   meta_value,    address,   user_agent};
  }
};

RequestValues plain_values() {
  return {"alice@example.com", "Alice",       "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
          "refresh-one",       "refresh-two", "A title",
          "Some content",      "a value",     "192.0.2.1",
          "curl/8.0"};
}

// Attempts to end a string literal or an identifier and run SQL of the attacker's, each with
// a marker no statement of ours contains.
RequestValues hostile_values() {
  const std::string claims =
      R"({"sub":"00000000-0000-4000-8000-000000000000","role":"authenticated"})";
  return {
      "x'--inj1@example.com",
      "'); SELECT set_config('request.jwt.claims', '" + claims + "', true); --inj2",
      "$1); UPDATE auth.users SET email = 'inj3'; --",
      "inj4' OR '1'='1",
      "inj5\"; DROP TABLE users; --",
      "'||(SELECT set_config('role', 'postgres', true))||'inj6",
      "inj7'); DELETE FROM user_data; DELETE FROM user_data_all; --",
      "inj8\\'; ATTACH DATABASE '/tmp/inj8.db' AS x; --",
      "192.0.2.1'); SELECT pg_sleep(10); --inj9",
      "Mozilla/5.0', ''); UPDATE auth.sessions SET revoked_at = NULL; --inj10",
  };
}

// One call of every Store and AttemptStore method, both outcomes where there are two, with
// `v` wherever a request value goes. Checks each outcome, so both rounds take the same paths.
void exercise(Store& store, const RequestValues& v) {
  const UserId user{core::Uuid::random_v4()};
  const std::string user_metadata = nlohmann::json{{"full_name", v.full_name}}.dump();
  ASSERT_TRUE(store.users().create_user({user, v.email, user_metadata, v.password_hash}, kT0));
  ASSERT_TRUE(store.users().find_user_by_email(v.email));
  ASSERT_EQ(store.users().find_user_by_email("missing-" + v.email).error().code, Errc::not_found);
  ASSERT_TRUE(store.users().find_user(user));
  ASSERT_TRUE(store.users().set_password_hash(user, v.password_hash + "2"));

  const SessionClient client{v.address, v.user_agent};
  SessionRecord session{SessionId{core::Uuid::random_v4()}, user, kT0, kT0 + kHour, std::nullopt};
  session.client = client;
  ASSERT_TRUE(store.sessions().open_session(session, v.refresh_a));
  ASSERT_TRUE(store.sessions().check_session(user, session.id, kT0 + 1));
  ASSERT_TRUE(store.sessions().rotate_refresh_token({v.refresh_a, v.refresh_b}, kT0 + 2, client));
  ASSERT_EQ(store.sessions().list_sessions(user, kT0 + 2, 10).value().at(0).client.user_agent,
            v.user_agent);
  ASSERT_FALSE(
      store.sessions().rotate_refresh_token({v.refresh_a, "reused-" + v.refresh_b}, kT0 + 3, {}));
  ASSERT_FALSE(store.sessions().check_session(user, session.id, kT0 + 4))
      << "reuse revokes the session";
  ASSERT_FALSE(
      store.sessions().rotate_refresh_token({"unknown-" + v.refresh_a, v.refresh_b}, kT0 + 5, {}));
  const SessionRecord other{SessionId{core::Uuid::random_v4()}, user, kT0, kT0 + kHour,
                            std::nullopt};
  ASSERT_TRUE(store.sessions().open_session(other, "other-" + v.refresh_a));
  ASSERT_TRUE(store.sessions().revoke_session(user, other.id, kT0 + 6));

  const ItemId item{core::Uuid::random_v4()};
  const std::string metadata = nlohmann::json{{"k", v.meta_value}}.dump();
  ASSERT_TRUE(store.items().create_item(user, {item, v.title, v.content, metadata}, kT0));
  ASSERT_EQ(store.items().create_item(user, {item, v.title, v.content, metadata}, kT0).error().code,
            Errc::conflict);
  ASSERT_EQ(store.items().list_items(user, 10, 0).value().size(), 1u);
  ASSERT_TRUE(store.items().get_item(user, item));
  ASSERT_TRUE(
      store.items().update_item(user, item, {v.title + "!", v.content + "!", metadata}, kT0 + 7));
  ASSERT_TRUE(store.items().delete_item(user, item));
  ASSERT_EQ(store.items().get_item(user, item).error().code, Errc::not_found);

  UserPatch patch;
  patch.email = "changed-" + v.email;
  patch.password_hash = v.password_hash + "3";
  patch.user_metadata = user_metadata;
  patch.app_metadata = nlohmann::json{{"provider", v.full_name}}.dump();
  patch.phone = std::optional<std::string>(v.address);
  patch.banned_until = std::optional<core::Micros>(kT0 + 8);
  ASSERT_TRUE(store.users().update_user(user, patch, kT0 + 8));
  ASSERT_EQ(store.users().list_users(10, 0).value().users.size(), 1u);
  ASSERT_TRUE(store.sessions().revoke_user_sessions(user, other.id, kT0 + 9));

  NewOneTimeToken token;
  token.user = user;
  token.purpose = TokenPurpose::recovery;
  token.email = v.email;
  token.link_hash = v.refresh_a;
  token.code_hash = v.refresh_b;
  token.redirect_to = v.address;
  token.expires_at = kT0 + kHour;
  const NewMail mail{v.email, v.title, v.content, v.full_name};
  ASSERT_TRUE(store.mail().issue(token, mail, kT0 + 8));
  ASSERT_FALSE(store.mail().redeem_code(TokenPurpose::recovery, v.email, v.title, 5, kT0 + 8));
  ASSERT_TRUE(store.mail().redeem_code(TokenPurpose::recovery, v.email, v.refresh_b, 5, kT0 + 8));
  token.link_hash = "again-" + v.refresh_a;
  ASSERT_TRUE(store.mail().issue(token, mail, kT0 + 8));
  ASSERT_TRUE(store.mail().redeem_link(TokenPurpose::recovery, token.link_hash, kT0 + 8));
  ASSERT_TRUE(store.mail().last_mail_at(v.email, "recovery").value());
  ASSERT_GE(store.mail().mails_queued_since(kT0).value(), 2);
  auto claimed = store.mail().claim_due(kT0 + 9, kT0 + kHour, 10);
  ASSERT_EQ(claimed.value().size(), 2u);
  ASSERT_TRUE(store.mail().mark_failed(claimed->at(0).id, v.content, kT0 + kHour));
  ASSERT_TRUE(store.mail().mark_failed(claimed->at(1).id, v.content, std::nullopt));
  ASSERT_TRUE(store.mail().mark_sent(claimed->at(0).id, kT0 + 10));
  ASSERT_GE(store.mail().recent_mail(10).value().size(), 2u);

  AttemptStore& attempts = store.attempts();
  ASSERT_TRUE(attempts.take_token("ip:" + v.address, core::BucketRule{3, 60}, kT0));
  ASSERT_TRUE(attempts.reserve_attempt("login:" + v.email, core::BackoffRule{5, 60}, kT0));
  ASSERT_TRUE(attempts.clear_failures("login:" + v.email));
  ASSERT_TRUE(store.users().delete_user(user));
}

// Runs the plain round, then the hostile one, and compares the statement texts they ran.
void expect_statement_texts_independent_of_requests(Store& store, StatementLog& log) {
  log.take();  // whatever opening the store ran
  ASSERT_NO_FATAL_FAILURE(exercise(store, plain_values()));
  const std::set<std::string> plain = log.take();
  const RequestValues hostile = hostile_values();
  ASSERT_NO_FATAL_FAILURE(exercise(store, hostile));
  const std::set<std::string> seen = log.take();

  ASSERT_FALSE(seen.empty()) << "the statement observer saw nothing";
  bool saw_insert = false;
  for (const std::string& sql : seen) {
    saw_insert |= sql.find("INSERT INTO") != std::string::npos;
    EXPECT_EQ(plain.count(sql), 1u) << "a statement text only hostile values produced:\n" << sql;
    for (const std::string& value : hostile.all())
      EXPECT_EQ(sql.find(value), std::string::npos) << "request value in SQL text:\n" << sql;
    EXPECT_EQ(sql.find("inj"), std::string::npos) << "injection marker in SQL text:\n" << sql;
  }
  EXPECT_TRUE(saw_insert) << "the observer missed the writes";
}

TEST(StatementText, SqliteRunsOnlyItsOwnStatementTexts) {
  latchkey::testing::TempDir dir;
  StatementLog log;  // outlives the store, which calls it
  sqlite::SqliteOptions options;
  options.path = (dir.path() / "latchkey.db").string();
  // One reader: a connection opened mid-test would run its setup (with its own random view
  // names) in one round only.
  options.max_connections = 1;
  options.statement_observer = log.observer();
  auto store = sqlite::open_sqlite_store(options);
  ASSERT_TRUE(store.has_value()) << store.error().detail;
  expect_statement_texts_independent_of_requests(**store, log);
}

TEST(StatementText, PostgresRunsOnlyItsOwnStatementTexts) {
  PostgresBackend empty(1);  // migrated and emptied; the store under test shares its database
  StatementLog log;
  auto options = PostgresBackend::options(empty.cluster(), 1);
  options.statement_observer = log.observer();
  auto store = postgres::open_pg_store(options);
  ASSERT_TRUE(store.has_value()) << store.error().detail;
  expect_statement_texts_independent_of_requests(**store, log);
}

}  // namespace
}  // namespace latchkey::store::testing
