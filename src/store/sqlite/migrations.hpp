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
Result<void> migrate(Connection& c, core::Micros now);

// The highest applied version; 0 for an empty database.
Result<int> schema_version(Connection& c);

}  // namespace latchkey::store::sqlite
