#pragma once
// JWS signing keys (RFC 7515, algorithms of RFC 7518): the symmetric HS256 key and the
// asymmetric ES256 and RS256 ones, and their JWK forms (RFC 7517).
#include <cstddef>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace latchkey::crypto {

enum class JwsAlgorithm { hs256, es256, rs256 };

std::string_view algorithm_name(JwsAlgorithm alg);  // "HS256", "ES256", "RS256"
// nullopt for anything but those exact names ("hs256" and "none" included).
std::optional<JwsAlgorithm> parse_algorithm(std::string_view name);

// One JWS key. Immutable; sign() and verify() are thread-safe.
class SigningKey {
 public:
  // HS256: 32 random bytes; ES256: P-256; RS256: 2048-bit RSA, e = 65537.
  // Throws std::invalid_argument on a bad kid (see from_private_jwk).
  static std::shared_ptr<const SigningKey> generate(JwsAlgorithm alg, std::string kid);
  // HS256 from a secret of at least 32 bytes (std::invalid_argument otherwise, or on a bad kid).
  static std::shared_ptr<const SigningKey> from_secret(std::string kid, std::string secret);
  // A private JWK as Supabase's GOTRUE_JWT_KEYS / the Supabase CLI's signing_keys.json hold
  // them: kty "EC" (crv "P-256", x, y, d) with alg "ES256"; kty "RSA" (n, e, d, p, q, dp, dq,
  // qi) with alg "RS256"; kty "oct" (k) with alg "HS256". kid: 1 to 200 printable ASCII
  // characters. invalid_input, with a detail naming the problem (never key material), for
  // missing or mistyped members, an alg not matching kty, other curves, a public part that
  // does not match the private part, an RSA modulus outside 2048..8192 bits, k under 32
  // bytes, or a JWK without its private members. `use` and `key_ops` are not read here.
  static Result<std::shared_ptr<const SigningKey>> from_private_jwk(const nlohmann::json& jwk);

  // The private key for storage: PKCS#8 DER for ES256/RS256, the raw secret for HS256. The
  // caller owns the copy and should wipe it.
  std::string private_material() const;
  // The inverse of private_material(), with the checks of from_private_jwk.
  static Result<std::shared_ptr<const SigningKey>> from_private_material(JwsAlgorithm alg,
                                                                         std::string kid,
                                                                         std::string_view material);

  const std::string& kid() const { return kid_; }
  JwsAlgorithm algorithm() const { return alg_; }
  // {"kty","crv","x","y"} or {"kty","n","e"}, plus "kid", "alg", "use":"sig" and
  // "key_ops":["verify"]. nullopt for HS256: a symmetric key is never published.
  std::optional<nlohmann::json> public_jwk() const;

  // The raw JWS signature: HS256 the 32-byte MAC, ES256 r||s in 32 + 32 bytes (RFC 7518
  // 3.4), RS256 PKCS#1 v1.5 with SHA-256 (the modulus size).
  std::string sign(std::string_view signing_input) const;
  // false for a signature of the wrong length or one that does not verify.
  bool verify(std::string_view signing_input, std::string_view signature) const;
  // The length every valid signature of this key has.
  size_t signature_size() const;

  ~SigningKey();
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;

  struct Impl;  // OpenSSL state, in signing_key.cpp

 private:
  SigningKey(JwsAlgorithm alg, std::string kid, std::unique_ptr<Impl> impl);
  static std::shared_ptr<const SigningKey> make(JwsAlgorithm alg, std::string kid,
                                                std::unique_ptr<Impl> impl);
  JwsAlgorithm alg_ = JwsAlgorithm::hs256;
  std::string kid_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace latchkey::crypto
