#pragma once
// A RandomSource for tests: the same seed gives the same bytes (splitmix64), so ids and
// tokens a service makes can be predicted and compared.
#include <cstring>
#include <mutex>

#include "core/random.hpp"

namespace latchkey::testing {

class SequenceRandom final : public core::RandomSource {
 public:
  explicit SequenceRandom(uint64_t seed) : state_(seed) {}
  void fill(uint8_t* out, size_t n) override {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < n; i += 8) {
      state_ += 0x9e3779b97f4a7c15ULL;
      uint64_t z = state_;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      z ^= z >> 31;
      std::memcpy(out + i, &z, std::min<size_t>(8, n - i));
    }
    drawn_ += n;
  }
  size_t drawn() const {
    std::lock_guard lock(mu_);
    return drawn_;
  }

 private:
  mutable std::mutex mu_;
  uint64_t state_;
  size_t drawn_ = 0;
};

}  // namespace latchkey::testing
