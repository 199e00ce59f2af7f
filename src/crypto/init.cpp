#include "crypto/init.hpp"

#include <sodium.h>

namespace latchkey::crypto {

bool init() {
  // A function-local static runs sodium_init() once even under concurrent first calls.
  // sodium_init() returns 1 when something else already initialized it, which is fine.
  static const bool ok = sodium_init() >= 0;
  return ok;
}

}  // namespace latchkey::crypto
