// Opening the PostgreSQL store: migrations (once, even with several nodes starting at
// once), the version check, an unreachable server, and how values round-trip (exact
// timestamps) or are refused (text PostgreSQL cannot store).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

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
  // Versions may have gaps (issue 10 numbers its migrations per feature), so: each recorded
  // once, up to the latest.
  EXPECT_EQ(cluster.query_scalar(db,
                                 "SELECT (count(*) = count(DISTINCT version))::text || ':' ||"
                                 " max(version) FROM auth.schema_migrations"),
            "true:" + std::to_string(postgres::latest_schema_version()));
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
        backend.store().users().create_user({id, id.str() + "@example.com", std::nullopt, "h"}, t));
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
  ASSERT_TRUE(backend.store().users().create_user({id, "nul@example.com", std::nullopt, "h"}, 0));
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
