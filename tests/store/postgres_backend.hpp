#pragma once
#include <memory>

#include "pg_cluster.hpp"
#include "store/postgres/pg_store.hpp"
#include "store_contract.hpp"

namespace latchkey::store::testing {

// A PostgreSQL store on the process's throwaway cluster (started on first use), connected
// as the unprivileged app role, migrated by the owner role. Every table is emptied first,
// so each test starts from an empty database without paying for a new one.
class PostgresBackend final : public Backend {
 public:
  explicit PostgresBackend(size_t pool_size = 4);
  Store& store() override { return *store_; }
  latchkey::testing::PgCluster& cluster() { return cluster_; }

  static postgres::PgOptions options(
      const latchkey::testing::PgCluster& cluster, size_t pool_size,
      std::string_view database = latchkey::testing::PgCluster::kDatabase);

 private:
  latchkey::testing::PgCluster& cluster_;
  std::unique_ptr<Store> store_;
};

}  // namespace latchkey::store::testing
