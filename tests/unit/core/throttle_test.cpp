#include "core/throttle.hpp"

#include <gtest/gtest.h>

namespace latchkey::core {
namespace {

using namespace std::chrono_literals;

TEST(ThrottleTest, OneReportPerIntervalWithTheNumberHeldBack) {
  Throttle throttle(5s);
  const auto t0 = Throttle::Clock::time_point{} + 1000s;
  struct Step {
    std::chrono::milliseconds at;  // since t0
    std::optional<uint64_t> expected;
  };
  const Step steps[] = {
      {0ms, 0},             // the first is always reported
      {1ms, std::nullopt},  // then held back for 5 s...
      {50ms, std::nullopt},
      {4999ms, std::nullopt},
      {5000ms, 3},  // ...and the next report says how many were
      {5001ms, std::nullopt},
      {60000ms, 1},  // a quiet stretch: reported at once
      {60001ms, std::nullopt},
  };
  for (const auto& s : steps) {
    EXPECT_EQ(throttle.admit(t0 + s.at), s.expected) << s.at.count() << " ms";
  }
}

TEST(ThrottleTest, AFloodGivesOneLinePerInterval) {
  Throttle throttle(5s);
  const auto t0 = Throttle::Clock::time_point{} + 1000s;
  int reported = 0;
  uint64_t held = 0;
  // Every 50 ms for a minute: the accept loop's old retry rate.
  for (int i = 0; i < 1200; ++i) {
    if (auto h = throttle.admit(t0 + std::chrono::milliseconds(50 * i))) {
      ++reported;
      held += *h;
    }
  }
  EXPECT_EQ(reported, 12);
  EXPECT_EQ(held + uint64_t(reported), 1200u - 99u);  // the last 99 are not reported yet
}

}  // namespace
}  // namespace latchkey::core
