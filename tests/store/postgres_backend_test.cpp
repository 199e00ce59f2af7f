#include "postgres_backend.hpp"

#include "item_rows_contract.hpp"

#include <stdexcept>

namespace latchkey::store::testing {

using latchkey::testing::PgCluster;

postgres::PgOptions PostgresBackend::options(const PgCluster& cluster, size_t pool_size,
                                             std::string_view database) {
  postgres::PgOptions options;
  options.url = cluster.app_url(database);
  options.owner_url = cluster.owner_url(database);
  options.pool_size = pool_size;
  options.connect_timeout_s = 2;
  return options;
}

PostgresBackend::PostgresBackend(size_t pool_size) : cluster_(PgCluster::shared()) {
  auto opened = postgres::open_pg_store(options(cluster_, pool_size));
  if (!opened) throw std::runtime_error("open_pg_store: " + opened.error().detail);
  store_ = std::move(opened).value();
  cluster_.exec(PgCluster::kDatabase,
                "TRUNCATE auth.users, auth.sessions, auth.refresh_tokens, public.user_data,"
                " auth.rate_buckets, auth.login_failures, auth.one_time_tokens, auth.mail_outbox,"
                " auth.signing_keys, auth.mfa_factors, auth.mfa_challenges");
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContract,
                         ::testing::ValuesIn(pool_variants<PostgresBackend>()), factory_name);

INSTANTIATE_TEST_SUITE_P(Postgres, ItemRowsContract, ::testing::ValuesIn(pool_variants<PostgresBackend>()),
                         factory_name);

}  // namespace latchkey::store::testing
