#include "core/random.hpp"

#include <sodium.h>

namespace latchkey::core {

void SystemRandom::fill(uint8_t* out, size_t n) { randombytes_buf(out, n); }

RandomSource& system_random() {
  static SystemRandom random;
  return random;
}

}  // namespace latchkey::core
