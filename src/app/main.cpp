#include "app/cli.hpp"

int main(int argc, char** argv) { return latchkey::app::run_cli(argc, argv); }
