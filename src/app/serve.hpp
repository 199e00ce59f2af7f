#pragma once
#include "app/config.hpp"

namespace latchkey::app {

// Opens the store, builds the services and serves until SIGTERM/SIGINT. Exit code.
int serve(const Config& config);
// Applies pending migrations and exits. Exit code.
int migrate(const Config& config);

}  // namespace latchkey::app
