#pragma once
// Internal to JwtCodec: reads a JWT payload into typed fields in one pass.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace latchkey::crypto::detail {

// The registered and latchkey claims, as found; a field is nullopt when absent.
struct RawClaims {
  std::optional<std::string> sub, email, role, iss, session_id;
  std::vector<std::string> aud;  // a string aud becomes one element
  bool has_aud = false;
  std::optional<int64_t> iat, exp, nbf;
};

// nullopt unless `json_text` is a JSON object in which every known claim has its type (strings;
// aud a string or array of strings; iat/exp/nbf integral numbers that fit int64) and no
// top-level key appears twice. Unknown claims are skipped, including anything nested in them.
std::optional<RawClaims> read_claims(std::string_view json_text);

}  // namespace latchkey::crypto::detail
