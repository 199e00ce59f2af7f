#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "store/records.hpp"

namespace latchkey::store {

struct FactorId {
  core::Uuid v;
  std::string str() const { return v.str(); }
  friend bool operator==(const FactorId&, const FactorId&) = default;
};
struct ChallengeId {
  core::Uuid v;
  std::string str() const { return v.str(); }
  friend bool operator==(const ChallengeId&, const ChallengeId&) = default;
};

enum class FactorStatus { unverified, verified };

// One TOTP factor. The secret is sealed under the server secret (crypto::seal, stored_secret).
struct FactorRecord {
  FactorId id;
  UserId user_id;
  std::string factor_type = "totp";
  std::string friendly_name = {};
  std::string secret_sealed = {};
  FactorStatus status = FactorStatus::unverified;
  // The newest RFC 6238 time step a code was accepted for: a code is good once (section 5.2).
  int64_t last_used_step = -1;
  core::Micros created_at = 0;
  core::Micros updated_at = 0;
  std::optional<core::Micros> last_challenged_at = std::nullopt;
};

struct ChallengeRecord {
  ChallengeId id;
  FactorId factor_id;
  core::Micros created_at = 0;
  core::Micros expires_at = 0;
  std::optional<core::Micros> verified_at = std::nullopt;
  std::string ip = {};
};

class FactorStore {
 public:
  virtual ~FactorStore() = default;
  // conflict if the owner already has a factor of that friendly name (empty names never clash).
  virtual Result<FactorRecord> add_factor(const FactorRecord& factor) = 0;
  // The owner's factors, oldest first.
  virtual Result<std::vector<FactorRecord>> list_factors(UserId owner) = 0;
  // not_found unless the factor is the owner's.
  virtual Result<FactorRecord> find_factor(UserId owner, FactorId id) = 0;
  virtual Result<void> delete_factor(UserId owner, FactorId id) = 0;
  // Records a challenge of the owner's factor and stamps last_challenged_at; not_found otherwise.
  virtual Result<void> add_challenge(UserId owner, const ChallengeRecord& challenge) = 0;
  // In one transaction: the challenge is the owner's factor's, unexpired at `now` and not yet
  // verified (else not_found / unauthenticated "challenge_expired"); `step` is newer than the
  // factor's last_used_step (else unauthenticated "code_reused"). Then the challenge is
  // verified, the step recorded, the factor verified, and `session` raised to aal2 (totp, now).
  virtual Result<FactorRecord> verify_challenge(UserId owner, FactorId factor, ChallengeId id,
                                                int64_t step, SessionId session,
                                                core::Micros now) = 0;
};

}  // namespace latchkey::store
