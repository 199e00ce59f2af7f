#pragma once
#include <memory>

#include "store/sqlite/sqlite_store.hpp"
#include "store_contract.hpp"
#include "support/temp_dir.hpp"

namespace latchkey::store::testing {

// A SQLite store on a file in its own temporary directory (not ":memory:": every pooled
// connection must open the same database).
class SqliteBackend final : public Backend {
 public:
  explicit SqliteBackend(size_t max_connections = 4);
  Store& store() override { return *store_; }
  const latchkey::testing::TempDir& dir() const { return dir_; }

 private:
  latchkey::testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace latchkey::store::testing
