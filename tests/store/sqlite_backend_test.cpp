#include "sqlite_backend.hpp"

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

// A single connection as well: every call then shares one connection, so an owner left
// set by one call, or a statement left open, would show up in the next.
INSTANTIATE_TEST_SUITE_P(
    Sqlite, StoreContract,
    ::testing::Values(BackendFactory{"Pool4", [] { return std::make_unique<SqliteBackend>(4); }},
                      BackendFactory{"OneConnection",
                                     [] { return std::make_unique<SqliteBackend>(1); }}),
    [](const ::testing::TestParamInfo<BackendFactory>& info) { return info.param.name; });

}  // namespace latchkey::store::testing
