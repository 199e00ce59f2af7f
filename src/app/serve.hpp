#pragma once
#include <memory>

#include "app/config.hpp"
#include "store/store.hpp"

namespace latchkey::app {

// Opens the store, builds the services and serves until SIGTERM/SIGINT. Exit code.
int serve(const Config& config);
// Applies pending migrations and exits. Exit code.
int migrate(const Config& config);
// The configured database (SQLite: applies pending migrations; PostgreSQL: when `migrate`).
// The admin verbs use it too, also while a server runs on the same database.
Result<std::unique_ptr<store::Store>> open_store(const Config& config, bool migrate);

}  // namespace latchkey::app
