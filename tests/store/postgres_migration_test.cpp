// Opening the PostgreSQL store: migrations (once, even with several nodes starting at
// once), the version check, an unreachable server, and how values round-trip (exact
// timestamps) or are refused (text PostgreSQL cannot store).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "postgres_backend.hpp"
#include "store/postgres/pg_migrations.hpp"

namespace latchkey::store::testing {
namespace {

using latchkey::testing::PgCluster;

TEST(PostgresMigration, NodesStartingAtOnceMigrateExactlyOnce) {
  PgCluster& cluster = PgCluster::shared();
  const std::string db = cluster.create_database();
  std::vector<Result<std::unique_ptr<Store>>> opened;
  for (int i = 0; i < 4; ++i) opened.emplace_back(fail(Error::of(Errc::internal, "not run")));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < opened.size(); ++i)
    threads.emplace_back(
        [&, i] { opened[i] = postgres::open_pg_store(PostgresBackend::options(cluster, 2, db)); });
  for (auto& t : threads) t.join();
  for (const auto& r : opened) EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().detail);
  // Each version recorded once, up to the latest.
  EXPECT_EQ(cluster.query_scalar(
                db, "SELECT count(*) - count(DISTINCT version) FROM auth.schema_migrations"),
            "0");
  EXPECT_EQ(cluster.query_scalar(db, "SELECT max(version) FROM auth.schema_migrations"),
            std::to_string(postgres::latest_schema_version()));
  // Every one of them serves requests.
  for (auto& r : opened) {
    if (!r) continue;
    EXPECT_TRUE((*r)->ping().has_value());
    EXPECT_TRUE((*r)->items().list_items(UserId{core::Uuid::random_v4()}, 10, 0).has_value());
  }
}

TEST(PostgresMigration, WithoutApplyingMigrationsAnUnmigratedDatabaseIsRefused) {
  PgCluster& cluster = PgCluster::shared();
  const std::string db = cluster.create_database();
  auto options = PostgresBackend::options(cluster, 1, db);
  options.apply_migrations = false;
  auto refused = postgres::open_pg_store(options);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, Errc::internal);

  options.apply_migrations = true;
  ASSERT_TRUE(postgres::open_pg_store(options).has_value());
  options.apply_migrations = false;
  EXPECT_TRUE(postgres::open_pg_store(options).has_value());
}

TEST(PostgresMigration, UnreachableServerIsUnavailableQuickly) {
  PgCluster& cluster = PgCluster::shared();
  postgres::PgOptions options = PostgresBackend::options(cluster, 1);
  options.url = "postgresql://latchkey_app@/latchkey?host=" + cluster.dir().string() + "/nowhere";
  const auto start = std::chrono::steady_clock::now();
  auto r = postgres::open_pg_store(options);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::unavailable);
}

TEST(PostgresMigration, TimestampsRoundTripToTheMicrosecond) {
  PostgresBackend backend(1);
  for (core::Micros t :
       {core::Micros{0}, core::Micros{-1}, core::Micros{1}, core::Micros{1'700'000'000'999'999},
        core::Micros{4'102'444'800'000'001}, core::Micros{-2'208'988'800'000'001}}) {
    const UserId id{core::Uuid::random_v4()};
    ASSERT_TRUE(
        backend.store().users().create_user({id, id.str() + "@example.com", "{}", "h"}, t));
    EXPECT_EQ(backend.store().users().find_user(id)->created_at, t);
    const ItemId item{core::Uuid::random_v4()};
    ASSERT_TRUE(backend.store().items().create_item(id, {item, "t", "c", std::nullopt}, t));
    auto got = backend.store().items().get_item(id, item);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->created_at, t);
    EXPECT_EQ(got->updated_at, t);
  }
}

TEST(PostgresMigration, TextPostgresCannotStoreIsInvalidInputNotAnInternalError) {
  PostgresBackend backend(1);
  const UserId id{core::Uuid::random_v4()};
  ASSERT_TRUE(backend.store().users().create_user({id, "nul@example.com", "{}", "h"}, 0));
  auto r = backend.store().items().create_item(
      id, {ItemId{core::Uuid::random_v4()}, "t", "c", "{\"a\":\"\\u0000\"}"}, 0);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid_input) << r.error().detail;
  auto long_title = backend.store().items().create_item(
      id, {ItemId{core::Uuid::random_v4()}, std::string(256, 'x'), "c", std::nullopt}, 0);
  ASSERT_FALSE(long_title.has_value());
  EXPECT_EQ(long_title.error().code, Errc::invalid_input) << long_title.error().detail;
}

}  // namespace
}  // namespace latchkey::store::testing

namespace latchkey::store::testing {
namespace {

// Migration 3 (the Supabase user model) on a database that already has users: full_name
// becomes user_metadata.full_name, and the users count as confirmed when they registered.
TEST(PostgresMigration, UsersFromVersion2KeepTheirNameAsUserMetadata) {
  PgCluster& cluster = PgCluster::shared();
  const std::string db = cluster.create_database();
  const auto options = PostgresBackend::options(cluster, 1, db);
  {
    auto owner = postgres::PgConnection::open(options.owner_url, 5, 0);
    ASSERT_TRUE(owner.has_value()) << owner.error().detail;
    ASSERT_TRUE(postgres::migrate(**owner, PgCluster::kAppRole, 2).has_value());
  }
  EXPECT_EQ(cluster.query_scalar(db, "SELECT max(version) FROM auth.schema_migrations"), "2");
  cluster.exec(db,
               "INSERT INTO auth.users (id, email, full_name, password_hash, created_at) VALUES"
               " ('11111111-1111-4111-8111-111111111111', 'named@example.com', 'Ada L', 'h',"
               "  '2024-01-01T00:00:00Z'),"
               " ('22222222-2222-4222-8222-222222222222', 'anon@example.com', NULL, 'h',"
               "  '2024-01-02T00:00:00Z')");
  auto store = postgres::open_pg_store(options);
  ASSERT_TRUE(store.has_value()) << store.error().detail;
  auto named = (*store)->users().find_user_by_email("named@example.com");
  ASSERT_TRUE(named.has_value()) << named.error().detail;
  EXPECT_EQ(nlohmann::json::parse(named->user_metadata), nlohmann::json({{"full_name", "Ada L"}}));
  EXPECT_EQ(named->email_confirmed_at, named->created_at);
  EXPECT_EQ(named->updated_at, named->created_at);
  auto nameless = (*store)->users().find_user_by_email("anon@example.com");
  ASSERT_TRUE(nameless.has_value());
  EXPECT_EQ(nlohmann::json::parse(nameless->user_metadata), nlohmann::json::object());
}

// Migration 6 (session method, device, last use) on a database with a live session: it is
// listed as a password session with no device yet, and its refresh token still rotates.
TEST(PostgresMigration, SessionsFromVersion5StayLiveAndListed) {
  PgCluster& cluster = PgCluster::shared();
  const std::string db = cluster.create_database();
  const auto options = PostgresBackend::options(cluster, 1, db);
  {
    auto owner = postgres::PgConnection::open(options.owner_url, 5, 0);
    ASSERT_TRUE(owner.has_value()) << owner.error().detail;
    ASSERT_TRUE(postgres::migrate(**owner, PgCluster::kAppRole, 5).has_value());
  }
  const std::string user = "11111111-1111-4111-8111-111111111111";
  const std::string session = "33333333-3333-4333-8333-333333333333";
  cluster.exec(db, "INSERT INTO auth.users (id, email, password_hash) VALUES ('" + user +
                       "', 'a@example.com', 'h');"
                       " INSERT INTO auth.sessions (id, user_id, expires_at) VALUES ('" +
                       session + "', '" + user + "', now() + interval '1 day');" +
                       " INSERT INTO auth.refresh_tokens (token_hash, session_id) VALUES ('h1', '" +
                       session + "')");
  auto store = postgres::open_pg_store(options);
  ASSERT_TRUE(store.has_value()) << store.error().detail;
  const UserId owner{*core::Uuid::parse(user)};
  const core::Micros now = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  auto listed = (*store)->sessions().list_sessions(owner, now, 10);
  ASSERT_TRUE(listed.has_value()) << listed.error().detail;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).id.str(), session);
  EXPECT_EQ(listed->at(0).sign_in_method, "password");
  EXPECT_EQ(listed->at(0).client.ip, "");
  EXPECT_EQ(listed->at(0).refreshed_at, std::nullopt);
  auto rotated = (*store)->sessions().rotate_refresh_token({"h1", "h2"}, now, {"192.0.2.1", "ua"});
  ASSERT_TRUE(rotated.has_value()) << rotated.error().detail;
  EXPECT_EQ(rotated->session.refreshed_at, now);
}

}  // namespace
}  // namespace latchkey::store::testing
