#include "app/keys.hpp"

#include <chrono>
#include <iostream>

#include "crypto/init.hpp"
#include "crypto/jwt.hpp"

namespace latchkey::app {
namespace {

// Supabase's self-hosted keys last years; so do ours. A key stops working when the secret
// changes (which also ends every session).
constexpr int64_t kApiKeyTtlSeconds = 10LL * 365 * 24 * 3600;

}  // namespace

int print_api_key(const Config& config, const std::string& role, std::ostream& out) {
  if (role != "anon" && role != "service-role") {
    std::cerr << "latchkey keys: unknown role \"" << role << "\" (anon or service-role)\n";
    return 2;
  }
  if (!crypto::init()) {
    std::cerr << "latchkey: cryptography library failed to initialise\n";
    return 1;
  }
  auto secret = resolve_jwt_secret(config.data_dir);
  if (!secret) {
    std::cerr << "latchkey: " << secret.error().public_message() << "\n";
    return 1;
  }
  crypto::JwtPolicy policy;
  policy.issuer = config.jwt_issuer;
  const crypto::JwtCodec jwt(std::move(secret).value(), policy);
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  out << jwt.sign_api_key({role == "anon" ? "anon" : "service_role", now, now + kApiKeyTtlSeconds})
      << "\n";
  return 0;
}

}  // namespace latchkey::app
