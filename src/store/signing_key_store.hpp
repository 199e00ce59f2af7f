#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace latchkey::store {

// One JWT signing key as stored, shared by every node of the database.
struct SigningKeyRecord {
  std::string kid;
  std::string algorithm;  // "ES256", "RS256" or "HS256"
  // The private part, sealed under the server secret (crypto::seal, stored_secret): a copy of
  // the database alone cannot sign tokens.
  std::string private_sealed;
  std::string public_jwk = {};       // JSON text; empty for HS256, which is never published
  std::string origin = "generated";  // or "imported"
  core::Micros created_at = 0;
  // From when it signs: of the keys whose time has come, the latest signs. Unset: it only
  // verifies.
  std::optional<core::Micros> signs_from = std::nullopt;
  std::optional<core::Micros> retired_at = std::nullopt;  // set: it no longer verifies
};

class SigningKeyStore {
 public:
  virtual ~SigningKeyStore() = default;
  // Every key, retired ones too, in the order they were added.
  virtual Result<std::vector<SigningKeyRecord>> list_keys() = 0;
  // Adds the keys in one transaction: conflict (and none added) if a kid is taken.
  virtual Result<void> add_keys(const std::vector<SigningKeyRecord>& keys) = 0;
  // Adds `key` unless a key that signs (signs_from set, not retired) is stored already: the
  // first key of nodes that start at once is made exactly once. false if one was there.
  virtual Result<bool> add_first_signer(const SigningKeyRecord& key) = 0;
  // Marks the key retired at `now` (the first time only); not_found for an unknown kid.
  virtual Result<void> retire_key(std::string_view kid, core::Micros now) = 0;
};

}  // namespace latchkey::store
