#pragma once
// For tests and admin tooling only: run one arbitrary SQL statement inside the same request
// transaction the item methods use (role `authenticated`, the owner's claims), to show what
// row-level security lets it reach.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/uuid.hpp"
#include "store/store.hpp"

namespace latchkey::store::postgres {

struct ScopedSqlResult {
  // Every column of every row as text (nullopt for NULL).
  std::vector<std::vector<std::optional<std::string>>> rows;
  // Rows inserted, updated or deleted.
  int64_t changes = 0;
};

// Runs `sql` (exactly one statement, no parameters) as `owner` (nullopt: no claims, so no
// row is visible). The database's refusals come back as Errc::internal with the SQLSTATE and
// message in `detail` (42501 for a row-level security violation). invalid_input if `store`
// is not a PostgreSQL store.
Result<ScopedSqlResult> exec_as_owner(Store& store, std::optional<UserId> owner,
                                      std::string_view sql);

}  // namespace latchkey::store::postgres
