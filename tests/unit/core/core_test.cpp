#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>

#include "core/time_format.hpp"
#include "core/utf8.hpp"
#include "core/uuid.hpp"
#include "core/worker_pool.hpp"

namespace latchkey::core {
namespace {

TEST(Rfc3339, MicrosecondsInUtcWithZ) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_rfc3339(1'795'610'304'617'681), "2026-11-25T12:38:24.617681Z");
}

TEST(Uuid, ParsesCanonicalFormEitherCaseAndPrintsLowerCase) {
  const auto u = Uuid::parse("77BDDC4E-8cfc-45a4-9885-0d5b62620388");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->str(), "77bddc4e-8cfc-45a4-9885-0d5b62620388");
  for (const char* bad :
       {"", "77bddc4e8cfc45a498850d5b62620388", "77bddc4e-8cfc-45a4-9885-0d5b6262038",
        "77bddc4e-8cfc-45a4-9885-0d5b6262038g", "{77bddc4e-8cfc-45a4-9885-0d5b62620388}",
        "77bddc4e-8cfc-45a4-9885_0d5b62620388"}) {
    EXPECT_FALSE(Uuid::parse(bad)) << bad;
  }
}

TEST(Uuid, RandomV4HasVersionAndVariantAndDiffers) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const auto s = Uuid::random_v4().str();
    EXPECT_EQ(s[14], '4');
    EXPECT_NE(std::string("89ab").find(s[19]), std::string::npos);
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Utf8Length, CountsCodePointsAndRejectsMalformed) {
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), 3u);  // é € 😀
  EXPECT_FALSE(utf8_length("\xc0\xaf"));                               // overlong '/'
  EXPECT_FALSE(utf8_length("\xed\xa0\x80"));                           // surrogate
  EXPECT_FALSE(utf8_length("\xf4\x90\x80\x80"));                       // past U+10FFFF
  EXPECT_FALSE(utf8_length("\xe2\x82"));                               // truncated
}

TEST(WorkerPool, RefusesWorkBeyondItsQueueInsteadOfGrowing) {
  WorkerPool pool("test", 1, 2);
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool.try_submit([gate, &ran] {
    gate.wait();
    ++ran;
  }));
  // Two slots; the first job may still sit in one of them if the worker has not taken it yet.
  int accepted = 0;
  for (int i = 0; i < 5; ++i) accepted += pool.try_submit([&ran] { ++ran; });
  EXPECT_GE(accepted, 1);
  EXPECT_LE(accepted, 2);
  release.set_value();
  pool.shutdown();
  EXPECT_EQ(ran.load(), 1 + accepted) << "shutdown runs every queued job";
  EXPECT_FALSE(pool.try_submit([] {})) << "a stopped pool takes nothing";
}

}  // namespace
}  // namespace latchkey::core

namespace latchkey::core {
namespace {

TEST(Rfc3339, AgreesWithTheCalendarAcrossLeapYearsAndBeforeTheEpoch) {
  struct Case {
    Micros t;
    const char* text;
  };
  const Case cases[] = {
      {951'782'400'000'000, "2000-02-29T00:00:00.000000Z"},
      {4'107'542'399'999'999, "2100-02-28T23:59:59.999999Z"},
      {4'107'542'400'000'000, "2100-03-01T00:00:00.000000Z"},
      {-1, "1969-12-31T23:59:59.999999Z"},
      {-2'208'988'800'000'000, "1900-01-01T00:00:00.000000Z"},
      {253'402'300'799'000'000, "9999-12-31T23:59:59.000000Z"},
  };
  for (const auto& c : cases) EXPECT_EQ(format_rfc3339(c.t), c.text) << c.t;
}

}  // namespace
}  // namespace latchkey::core
