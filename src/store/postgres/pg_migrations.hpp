#pragma once
#include <string>

#include "core/error.hpp"
#include "store/postgres/pg_connection.hpp"

namespace latchkey::store::postgres {

// The newest schema version this binary knows.
int latest_schema_version();

// Applies pending migrations on `owner` (a connection as the role that owns, or will own,
// the schema), then grants `app_role` (the role the store connects as) what it needs.
// Several nodes may call this at once: a transaction-scoped advisory lock serializes them.
// Errc::internal if the database schema is newer than this binary.
// `up_to` stops at an older version (tests of an upgrade from it).
Result<void> migrate(PgConnection& owner, const std::string& app_role,
                     int up_to = latest_schema_version());

// The schema version recorded in the database (0 if never migrated).
Result<int> schema_version(PgConnection& c);

}  // namespace latchkey::store::postgres
