#pragma once
// For tests and admin tooling only (see store/scoped_sql.hpp).
#include "store/scoped_sql.hpp"

namespace latchkey::store::postgres {

// An ExecAsOwner: the statement (no parameters) runs inside the request transaction the item
// methods use (role `authenticated`, the owner's claims), so row-level security decides what
// it reaches. The database's refusals come back as Errc::internal with the SQLSTATE and
// message in `detail` (42501 for a row-level security violation). invalid_input if `store`
// is not a PostgreSQL store.
Result<ScopedSqlResult> exec_as_owner(Store& store, std::optional<UserId> owner,
                                      std::string_view sql);

}  // namespace latchkey::store::postgres
