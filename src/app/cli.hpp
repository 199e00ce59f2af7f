#pragma once

namespace latchkey::app {

// `latchkey [serve|migrate|version] [options]`; returns the process exit code.
int run_cli(int argc, char** argv);

}  // namespace latchkey::app
