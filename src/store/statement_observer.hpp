#pragma once
#include <functional>
#include <string_view>

namespace latchkey::store {

// Test hook: called with the text of every SQL statement a store connection runs, just before
// it runs, on whichever thread runs it (so it must be thread-safe). It exists so that tests can
// show that no statement text is ever built from request data: every text is a constant of
// the store, and request values only travel as bound parameters. Unset (the default, and
// always in the server) it costs one branch per statement.
using StatementObserver = std::function<void(std::string_view sql)>;

}  // namespace latchkey::store
