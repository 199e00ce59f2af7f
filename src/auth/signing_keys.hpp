#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "crypto/jwt.hpp"
#include "crypto/signing_key.hpp"
#include "store/signing_key_store.hpp"

namespace latchkey::auth {

// How often every node re-reads the stored keys, and how long after a rotation or an import a
// new key starts signing: two reloads later, so every node verifies its tokens before any node
// issues one.
inline constexpr int64_t kKeyReloadSeconds = 3;
inline constexpr core::Micros kSignerDelayUs = (2 * kKeyReloadSeconds + 1) * 1'000'000;

// The kinds of key a listing shows: the one that signs now, one that will (after a rotation),
// ones that only verify, and retired ones, which verify no more.
enum class KeyState { signing, next, verifying, retired };
std::string_view state_name(KeyState state);

struct SigningKeyInfo {
  std::string kid;
  std::string algorithm;
  std::string origin;  // "generated", "imported", or "server secret" for the project key
  KeyState state = KeyState::verifying;
  core::Micros created_at = 0;
  std::optional<core::Micros> signs_from = std::nullopt;
  std::optional<core::Micros> retired_at = std::nullopt;
};

// The JWT signing keys every node shares: kept in the store with their private parts sealed
// under the server secret, loaded into the codec, rotated, retired and imported. The server
// secret's own HS256 key (the project key) always verifies and signs while no stored key does,
// so API keys and tokens made before any rotation stay valid. Methods block on the store.
class SigningKeys {
 public:
  SigningKeys(store::SigningKeyStore& store, crypto::JwtCodec& jwt, std::string server_secret,
              const core::Clock& clock, core::RandomSource& random);
  ~SigningKeys();

  // At start: with ES256 or RS256 configured and no stored key that signs, makes one that
  // signs at once (exactly one, if several nodes start together). HS256: the project key
  // signs, nothing is made.
  Result<void> ensure_signer(crypto::JwsAlgorithm algorithm);
  // Reads the stored keys and gives them to the codec if they changed since the last call. A
  // key that cannot be opened (the server secret changed) fails the reload, naming its kid;
  // the codec keeps the keys it had.
  Result<void> reload();

  // A new key of `algorithm` that signs from now + `delay`; the keys before it keep verifying.
  Result<SigningKeyInfo> rotate(crypto::JwsAlgorithm algorithm, core::Micros delay);
  // Stops accepting the key. conflict for the key that signs now or will (rotate first), or
  // the project key; not_found for an unknown kid.
  Result<void> retire(std::string_view kid);
  // A JWK set as Supabase keeps its signing keys (GOTRUE_JWT_KEYS, the CLI's
  // signing_keys.json): a JSON array of private JWKs, or {"keys": [...]}. The key whose
  // key_ops contain "sign" (at most one) signs from now + `delay`; the others only verify.
  // Nothing is added unless every key is valid and new. Error details name the kid, never
  // key material.
  Result<std::vector<SigningKeyInfo>> import_jwks(std::string_view text, core::Micros delay);
  // The project key first, then the stored keys in the order they were added.
  Result<std::vector<SigningKeyInfo>> list();

 private:
  store::SigningKeyRecord record_of(const crypto::SigningKey& key, std::string origin,
                                    std::optional<core::Micros> signs_from) const;
  std::vector<SigningKeyInfo> describe(const std::vector<store::SigningKeyRecord>& stored) const;

  store::SigningKeyStore& store_;
  crypto::JwtCodec& jwt_;
  std::string server_secret_;
  const core::Clock& clock_;
  core::RandomSource& random_;
  std::mutex reload_mu_;
  std::string loaded_;  // what the codec was last given (kids and times), to skip no-ops
};

}  // namespace latchkey::auth
