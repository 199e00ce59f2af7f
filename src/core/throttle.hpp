#pragma once
// Lets one event through per interval and counts the ones it held back: for a warning that a
// failing loop could otherwise log thousands of times a second.
#include <chrono>
#include <cstdint>
#include <optional>

namespace latchkey::core {

class Throttle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Throttle(Clock::duration interval) : interval_(interval) {}

  // An event at `now`: nullopt to hold it back, else report it, together with how many were
  // held back since the last one reported. Not thread-safe.
  std::optional<uint64_t> admit(Clock::time_point now) {
    if (reported_ && now - last_ < interval_) {
      ++held_back_;
      return std::nullopt;
    }
    reported_ = true;
    last_ = now;
    const uint64_t held = held_back_;
    held_back_ = 0;
    return held;
  }

 private:
  Clock::duration interval_;
  Clock::time_point last_{};
  bool reported_ = false;
  uint64_t held_back_ = 0;
};

}  // namespace latchkey::core
