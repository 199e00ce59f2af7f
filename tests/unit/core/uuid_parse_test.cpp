// core::Uuid::parse accepts exactly the canonical 8-4-4-4-12 spelling (review issue #8).
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "core/ascii.hpp"
#include "core/uuid.hpp"

namespace latchkey::core {
namespace {

using namespace std::string_view_literals;

// Parses a heap copy of exactly text.size() bytes, so that reading one byte past the input
// is a heap-buffer-overflow under the sanitizer build instead of a read of whatever follows.
std::optional<Uuid> parse_exact_copy(std::string_view text) {
  const auto buf = std::make_unique<char[]>(text.size());
  if (!text.empty()) std::memcpy(buf.get(), text.data(), text.size());
  return Uuid::parse(std::string_view(buf.get(), text.size()));
}

TEST(UuidParse, AcceptsTheCanonicalFormInEitherCase) {
  constexpr std::string_view accepted[] = {
      "77bddc4e-8cfc-45a4-9885-0d5b62620388", "77BDDC4E-8CFC-45A4-9885-0D5B62620388",
      "77bDdC4e-8cFc-45A4-9885-0d5B62620388", "00000000-0000-0000-0000-000000000000",
      "ffffffff-ffff-ffff-ffff-ffffffffffff",
  };
  for (const std::string_view text : accepted) {
    const auto u = parse_exact_copy(text);
    ASSERT_TRUE(u) << text;
    EXPECT_EQ(u->str(), ascii_lower(text)) << "round trip";
  }
}

TEST(UuidParse, RefusesEverythingElse) {
  struct Case {
    const char* why;
    std::string_view text;
  };
  const Case refused[] = {
      // Extra dashes at a pair boundary, still 36 chars with dashes at 8/13/18/23: parsed to
      // ...aaaa00 (another id) before the fix.
      {"extra dashes early", "aa--aaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"},
      // The last pair cut in half: the old parser read byte 36.
      {"extra dash before the last group", "aaaaaaaa-aaaa-aaaa-aaaa--aaaaaaaaaaa"},
      {"extra dashes in the last group", "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaa--"},
      {"dash instead of the first digit", "-aaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"},
      {"empty", ""},
      {"35 chars", "77bddc4e-8cfc-45a4-9885-0d5b6262038"},
      {"37 chars", "77bddc4e-8cfc-45a4-9885-0d5b626203888"},
      {"no dashes", "77bddc4e8cfc45a498850d5b62620388"},
      {"no dashes, padded to 36", "77bddc4e8cfc45a498850d5b626203880000"},
      {"braces", "{77bddc4e-8cfc-45a4-9885-0d5b62620388}"},
      {"braces, 36 chars", "{7bddc4e-8cfc-45a4-9885-0d5b6262038}"},
      {"urn prefix", "urn:uuid:77bddc4e-8cfc-45a4-9885-0d5b62620388"},
      {"non-hex letter", "77bddc4e-8cfc-45a4-9885-0d5b6262038g"},
      {"non-hex first char", "x7bddc4e-8cfc-45a4-9885-0d5b62620388"},
      {"space", "77bddc4e-8cfc-45a4-9885-0d5b6262038 "},
      {"plus sign", "+7bddc4e-8cfc-45a4-9885-0d5b62620388"},
      {"embedded NUL",
       "77bddc4e-8cfc-45a4-9885-0d5b6262\0"
       "388"sv},
      {"NUL at a dash",
       "77bddc4e\0"
       "8cfc-45a4-9885-0d5b62620388"sv},
      {"underscore for a dash", "77bddc4e-8cfc-45a4-9885_0d5b62620388"},
      {"first dash one left", "77bddc4-e8cfc-45a4-9885-0d5b62620388"},
      {"first dash one right", "77bddc4e8-cfc-45a4-9885-0d5b62620388"},
      {"second dash one left", "77bddc4e-8cf-c45a4-9885-0d5b62620388"},
      {"third dash one right", "77bddc4e-8cfc-45a49-885-0d5b62620388"},
      {"fourth dash one left", "77bddc4e-8cfc-45a4-988-50d5b62620388"},
      {"fourth dash one right", "77bddc4e-8cfc-45a4-98850-d5b62620388"},
      {"fourth dash four places right", "77bddc4e-8cfc-45a4-98850d5b-62620388"},
      {"non-ASCII byte", "77bddc4e-8cfc-45a4-9885-0d5b626203\xc3\xa9"},
  };
  for (const auto& c : refused) {
    EXPECT_FALSE(parse_exact_copy(c.text)) << c.why << ": " << c.text;
  }
}

// Without a sanitizer an over-read only shows if the byte after the input happens to be a hex
// digit, so put one there: the view ends at 36 bytes, the buffer holds a 37th.
TEST(UuidParse, NeverReadsPastTheEndOfItsInput) {
  std::string buffer = "aaaaaaaa-aaaa-aaaa-aaaa--aaaaaaaaaaa";
  buffer += 'a';  // byte 36, outside the view
  EXPECT_FALSE(Uuid::parse(std::string_view(buffer.data(), 36)));
}

}  // namespace
}  // namespace latchkey::core
