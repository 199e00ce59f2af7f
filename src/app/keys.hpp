#pragma once
#include <ostream>
#include <string>

#include "app/config.hpp"

namespace latchkey::app {

// `latchkey keys anon|service-role`: prints the project API key for that role (a JWT signed
// with the server secret's key, as Supabase's anon and service_role keys are, so it survives
// key rotations). Exit code.
int print_api_key(const Config& config, const std::string& role, std::ostream& out);

// `latchkey keys list|rotate|retire|import`: the signing keys in the configured database,
// which running nodes re-read every few seconds. Exit codes.
int list_keys(const Config& config, bool json, std::ostream& out);
int rotate_key(const Config& config, std::ostream& out);
int retire_key(const Config& config, const std::string& kid, std::ostream& out);
int import_keys(const Config& config, const std::string& path, std::ostream& out);

}  // namespace latchkey::app
