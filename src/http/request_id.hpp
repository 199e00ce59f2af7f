#pragma once
// Request ids tie a client's report to our log lines.
#include <string>
#include <string_view>

namespace latchkey::http {

// An incoming X-Request-Id is reused only if it is 1..64 chars of [A-Za-z0-9._-]: anything
// else could smuggle spaces, quotes or newlines into log lines and response headers.
bool is_valid_request_id(std::string_view id);

// Writes 16 fresh lowercase hex chars into `out`.
void generate_request_id(std::string& out);

}  // namespace latchkey::http
