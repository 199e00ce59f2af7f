#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace latchkey::crypto {
namespace detail {
struct RawClaims;
}

// The claims latchkey puts in an access token (see shared/spec/seed-api.md).
struct AccessClaims {
  std::string sub;  // user id (UUID)
  std::string email;
  std::string role;  // "authenticated"
  std::string aud;   // "authenticated"
  std::string iss;
  int64_t iat = 0;
  int64_t exp = 0;
  std::optional<int64_t> nbf;
  std::string session_id;  // UUID
  // Supabase Auth's claims (shared/reference/supabase-wire.md section 4), written by sign()
  // and not read back by verify(): resource servers read them.
  std::string phone;
  std::string app_metadata = "{}";   // JSON object text
  std::string user_metadata = "{}";  // JSON object text
  std::string aal = "aal1";
  struct AuthMethod {
    std::string method;  // "password", "otp", ...
    int64_t timestamp = 0;
  };
  std::vector<AuthMethod> amr;
  bool is_anonymous = false;
};

// A project API key (Supabase's anon and service_role keys): a long-lived token that names
// a role, and no user.
struct ApiKeyClaims {
  std::string role;
  int64_t iat = 0;
  std::optional<int64_t> exp;
};

struct JwtPolicy {
  std::string issuer = "latchkey";
  std::string audience = "authenticated";
  int64_t leeway_s = 30;          // clock skew tolerated on exp / nbf / iat
  // Longer tokens are refused before any parsing. Room for the metadata claims at their
  // bounds (auth::kMaxUserMetadataBytes, kMaxAppMetadataBytes), base64url-encoded.
  size_t max_token_bytes = 12 * 1024;
};

// HS256 only: the algorithm is fixed by the key, never read from the token.
class JwtCodec {
 public:
  // secret must be at least 32 bytes.
  JwtCodec(std::string secret, JwtPolicy policy);
  ~JwtCodec();
  JwtCodec(const JwtCodec&) = delete;
  JwtCodec& operator=(const JwtCodec&) = delete;

  std::string sign(const AccessClaims& claims) const;
  // unauthenticated (detail says why) unless the token is well-formed, HS256, correctly
  // signed, within exp/nbf/iat (with leeway), and its iss/aud match the policy.
  // An expired token is token_expired, every other refusal bad_jwt.
  Result<AccessClaims> verify(std::string_view token, int64_t now_s) const;

  std::string sign_api_key(const ApiKeyClaims& claims) const;
  // An API key is accepted by verifying it (signature, header, a string `role`, `exp` if
  // present), never by comparing it with a stored string. bad_jwt or token_expired otherwise.
  Result<ApiKeyClaims> verify_api_key(std::string_view token, int64_t now_s) const;

  const JwtPolicy& policy() const { return policy_; }

 private:
  struct Mac;
  std::string signed_token(const std::string& payload_json) const;
  // The payload's claims of a well-formed token with our signature and header.
  Result<detail::RawClaims> signed_claims(std::string_view token) const;
  std::string secret_;
  JwtPolicy policy_;
  std::unique_ptr<Mac> mac_;
};

}  // namespace latchkey::crypto
