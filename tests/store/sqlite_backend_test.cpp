#include "sqlite_backend.hpp"

#include "item_rows_contract.hpp"

#include <stdexcept>

namespace latchkey::store::testing {

SqliteBackend::SqliteBackend(size_t max_connections) {
  sqlite::SqliteOptions options;
  options.path = (dir_.path() / "latchkey.db").string();
  options.max_connections = max_connections;
  auto opened = sqlite::open_sqlite_store(options);
  if (!opened) throw std::runtime_error("open_sqlite_store: " + opened.error().detail);
  store_ = std::move(opened).value();
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::ValuesIn(pool_variants<SqliteBackend>()),
                         factory_name);

INSTANTIATE_TEST_SUITE_P(Sqlite, ItemRowsContract, ::testing::ValuesIn(pool_variants<SqliteBackend>()),
                         factory_name);

}  // namespace latchkey::store::testing
