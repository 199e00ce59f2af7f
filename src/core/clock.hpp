#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>

namespace latchkey::core {

// Microseconds since the Unix epoch, UTC.
using Micros = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Micros now_us() const = 0;
  int64_t now_s() const { return now_us() / 1'000'000; }
};

class SystemClock final : public Clock {
 public:
  Micros now_us() const override {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  }
};

// For tests: time moves only when told to.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Micros t) : t_(t) {}
  Micros now_us() const override { return t_.load(); }
  void advance_us(Micros d) { t_ += d; }
  void set_us(Micros t) { t_ = t; }

 private:
  std::atomic<Micros> t_;
};

}  // namespace latchkey::core
