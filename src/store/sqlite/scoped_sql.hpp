#pragma once
// For tests and admin tooling only (see store/scoped_sql.hpp).
#include "store/scoped_sql.hpp"

namespace latchkey::store::sqlite {

// An ExecAsOwner: the statement runs under the connection's owner views, triggers and strict
// authorizer. forbidden if the authorizer or an owner trigger refuses it, or if it is EXPLAIN
// (whose output would reveal the connection's private view names); invalid_input if `store`
// is not a SQLite store or `sql` is not one statement.
Result<ScopedSqlResult> exec_as_owner(Store& store, std::optional<UserId> owner,
                                      std::string_view sql);

}  // namespace latchkey::store::sqlite
