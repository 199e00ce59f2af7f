#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace latchkey::crypto {

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
};

struct JwtPolicy {
  std::string issuer = "latchkey";
  std::string audience = "authenticated";
  int64_t leeway_s = 30;          // clock skew tolerated on exp / nbf / iat
  size_t max_token_bytes = 4096;  // longer tokens are refused before any parsing
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
  Result<AccessClaims> verify(std::string_view token, int64_t now_s) const;

  const JwtPolicy& policy() const { return policy_; }

 private:
  struct Mac;
  std::string secret_;
  JwtPolicy policy_;
  std::unique_ptr<Mac> mac_;
};

}  // namespace latchkey::crypto
