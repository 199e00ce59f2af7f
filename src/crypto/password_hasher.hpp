#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace latchkey::crypto {

class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;
  // PHC string ($argon2id$v=19$m=...,t=...,p=1$salt$hash).
  virtual std::string hash(std::string_view password) const = 0;
  // false for a wrong password or an unparseable hash.
  virtual bool verify(std::string_view phc_hash, std::string_view password) const = 0;
  // true if phc_hash was made with other parameters than the configured ones.
  virtual bool needs_rehash(std::string_view phc_hash) const = 0;
};

// OWASP's minimum for Argon2id (Password Storage Cheat Sheet): m=19 MiB, t=2, p=1.
struct Argon2Params {
  uint32_t memory_kib = 19 * 1024;
  uint32_t iterations = 2;
};
inline constexpr Argon2Params kOwaspMinimum{};

// Argon2id through libsodium (parallelism is always 1 there).
class Argon2idHasher final : public PasswordHasher {
 public:
  // invalid_input if params are below kOwaspMinimum or beyond libsodium's limits.
  static Result<Argon2idHasher> create(Argon2Params params);
  std::string hash(std::string_view password) const override;
  bool verify(std::string_view phc_hash, std::string_view password) const override;
  bool needs_rehash(std::string_view phc_hash) const override;
  const Argon2Params& params() const { return params_; }

 private:
  explicit Argon2idHasher(Argon2Params p) : params_(p) {}
  Argon2Params params_;
};

}  // namespace latchkey::crypto
