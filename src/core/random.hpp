#pragma once
#include <cstddef>
#include <cstdint>

namespace latchkey::core {

// Where ids and tokens get their randomness. Services take one so tests can make ids and
// tokens predictable; the server passes SystemRandom.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void fill(uint8_t* out, size_t n) = 0;
};

// The OS CSPRNG (libsodium's randombytes_buf). Stateless and thread-safe.
class SystemRandom final : public RandomSource {
 public:
  void fill(uint8_t* out, size_t n) override;
};

// The process-wide SystemRandom.
RandomSource& system_random();

}  // namespace latchkey::core
