#pragma once
// For tests and admin tooling only: one arbitrary SQL statement, run by a backend through the
// same request-scoped handle its item methods use, to show what it can and cannot reach. Each
// backend has its exec_as_owner (sqlite/scoped_sql.hpp, postgres/scoped_sql.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/uuid.hpp"
#include "store/store.hpp"

namespace latchkey::store {

struct ScopedSqlResult {
  // Every column of every row as text (nullopt for NULL).
  std::vector<std::vector<std::optional<std::string>>> rows;
  // Rows inserted, updated or deleted (on SQLite including writes made by the owner triggers).
  int64_t changes = 0;
};

// Runs `sql` (exactly one statement) as `owner` (nullopt: no owner, so no row is visible).
using ExecAsOwner = Result<ScopedSqlResult> (*)(Store& store, std::optional<UserId> owner,
                                                std::string_view sql);

}  // namespace latchkey::store
