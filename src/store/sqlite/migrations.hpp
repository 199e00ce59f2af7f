#pragma once
#include "core/clock.hpp"
#include "core/error.hpp"
#include "store/sqlite/connection.hpp"

namespace latchkey::store::sqlite {

// Highest schema version this binary knows.
int latest_schema_version();

// Brings the database up to latest_schema_version() in one BEGIN IMMEDIATE transaction,
// recording each step in schema_migrations(version, applied_at). Idempotent. Fails (and
// changes nothing) if the database was migrated by a newer binary.
// `up_to` stops at an older version (tests of an upgrade from it).
Result<void> migrate(Connection& c, core::Micros now, int up_to = latest_schema_version());

// The highest applied version; 0 for an empty database.
Result<int> schema_version(Connection& c);

}  // namespace latchkey::store::sqlite
