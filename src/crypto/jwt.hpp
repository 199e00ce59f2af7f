#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "crypto/signing_key.hpp"

namespace latchkey::crypto {
namespace detail {
struct RawClaims;
struct KeyRing;
}  // namespace detail

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
  int64_t leeway_s = 30;  // clock skew tolerated on exp / nbf / iat
  // Longer tokens are refused before any parsing. Room for the metadata claims at their
  // bounds (auth::kMaxUserMetadataBytes, kMaxAppMetadataBytes), base64url-encoded.
  size_t max_token_bytes = 12 * 1024;
};

// The keys a codec holds besides its project key.
struct KeySet {
  // Every key that verifies (the project key always does, and is not listed).
  std::vector<std::shared_ptr<const SigningKey>> keys;
  // (signs_from in unix seconds, kid): at time t the signer is the kid with the largest
  // signs_from <= t (of equal ones, the later listed), else the project key.
  std::vector<std::pair<int64_t, std::string>> signers;
};

// A key ring: the project key (HS256 from the server secret), plus any KeySet. The key a
// token's header names fixes the algorithm; the header's alg must agree with it.
class JwtCodec {
 public:
  // secret must be at least 32 bytes.
  JwtCodec(std::string secret, JwtPolicy policy);
  ~JwtCodec();
  JwtCodec(const JwtCodec&) = delete;
  JwtCodec& operator=(const JwtCodec&) = delete;

  // The project key's kid: derived from the secret (16 hex digits of an HMAC of it), so every
  // node agrees on it without sharing anything else, and it reveals nothing of the secret.
  static std::string project_kid(std::string_view secret);
  const std::string& project_kid() const;

  // Replaces the key set at once; safe while other threads sign and verify. Throws
  // std::invalid_argument, keeping the current set, on a null key, a kid used twice (the
  // project kid included) or a signer naming no key.
  void set_keys(KeySet keys);
  // {"keys":[...]}: the public JWK of every asymmetric key in the set.
  std::string jwks() const;

  // Signed by the signer at claims.iat.
  std::string sign(const AccessClaims& claims) const;
  // unauthenticated (detail says why) unless the token is well-formed, its header names one of
  // our keys (by kid; no kid: the project key) with that key's alg, it is correctly signed,
  // within exp/nbf/iat (with leeway), and its iss/aud match the policy.
  // An expired token is token_expired, every other refusal bad_jwt.
  Result<AccessClaims> verify(std::string_view token, int64_t now_s) const;

  // Always signed by the project key, so API keys outlive every rotation of the other keys.
  std::string sign_api_key(const ApiKeyClaims& claims) const;
  // An API key is accepted by verifying it (signature, header, a string `role`, `exp` if
  // present), never by comparing it with a stored string. bad_jwt or token_expired otherwise.
  Result<ApiKeyClaims> verify_api_key(std::string_view token, int64_t now_s) const;

  const JwtPolicy& policy() const { return policy_; }

 private:
  // This thread's snapshot of the current ring.
  const detail::KeyRing& ring() const;
  // The payload's claims of a well-formed token with our signature and header.
  Result<detail::RawClaims> signed_claims(std::string_view token) const;

  const uint64_t id_;  // tells codecs apart in the per-thread ring caches
  JwtPolicy policy_;
  std::shared_ptr<const SigningKey> project_;
  mutable std::mutex mu_;
  std::shared_ptr<const detail::KeyRing> ring_;  // guarded by mu_
  // Bumped on every set_keys: a thread re-reads ring_ (under mu_) only when it changed, so
  // the per-request path takes no lock and touches no shared reference count.
  std::atomic<uint64_t> version_{1};
};

}  // namespace latchkey::crypto
