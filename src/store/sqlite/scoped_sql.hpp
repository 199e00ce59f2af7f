#pragma once
// For tests and admin tooling only: run one arbitrary SQL statement through the same
// request-scoped handle that the item methods use, to show what it can and cannot reach.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/uuid.hpp"
#include "store/store.hpp"

namespace latchkey::store::sqlite {

struct ScopedSqlResult {
  // Every column of every row as text (nullopt for NULL).
  std::vector<std::vector<std::optional<std::string>>> rows;
  // Rows inserted, updated or deleted, including writes made by the owner triggers.
  int64_t changes = 0;
};

// Runs `sql` (exactly one statement) as `owner` (nullopt: no owner, the view is empty).
// forbidden if the authorizer or an owner trigger refuses it, or if it is EXPLAIN (whose
// output would reveal the connection's private view names); invalid_input if `store` is
// not a SQLite store or `sql` is not one statement.
Result<ScopedSqlResult> exec_as_owner(Store& store, std::optional<UserId> owner,
                                      std::string_view sql);

}  // namespace latchkey::store::sqlite
