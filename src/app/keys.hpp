#pragma once
#include <ostream>
#include <string>

#include "app/config.hpp"

namespace latchkey::app {

// `latchkey keys anon|service-role`: prints the project API key for that role (a JWT signed
// with the configured secret, as Supabase's anon and service_role keys are). Exit code.
int print_api_key(const Config& config, const std::string& role, std::ostream& out);

}  // namespace latchkey::app
