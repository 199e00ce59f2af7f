// The secrets of account mails: code shape and uniformity, link tokens, and code hashes that
// depend on the key, the purpose and the address.
#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <set>

#include "crypto/one_time_code.hpp"
#include "support/sequence_random.hpp"

namespace latchkey::crypto {
namespace {

// Hands out the given 32-bit values (little-endian), then zeros.
class ScriptedRandom final : public core::RandomSource {
 public:
  explicit ScriptedRandom(std::deque<uint32_t> values) : values_(std::move(values)) {}
  void fill(uint8_t* out, size_t n) override {
    std::memset(out, 0, n);
    if (n == 4 && !values_.empty()) {
      const uint32_t v = values_.front();
      values_.pop_front();
      for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
    }
  }

 private:
  std::deque<uint32_t> values_;
};

TEST(OneTimeSecret, CodesAreSixDigitsAndLinksAreLongTokens) {
  latchkey::testing::SequenceRandom random(7);
  std::set<std::string> codes, links;
  for (int i = 0; i < 200; ++i) {
    const auto s = new_one_time_secret(random);
    ASSERT_EQ(s.code.size(), 6u) << s.code;
    for (char c : s.code) ASSERT_TRUE(c >= '0' && c <= '9') << s.code;
    EXPECT_EQ(s.link_token.size(), 43u) << "32 bytes, base64url without padding";
    codes.insert(s.code);
    links.insert(s.link_token);
  }
  EXPECT_GT(codes.size(), 190u);
  EXPECT_EQ(links.size(), 200u);
}

TEST(OneTimeSecret, DrawsAboveTheLastFullMillionAreRedrawn) {
  // 4294000000 is past the largest multiple of 10^6 below 2^32: taking it modulo 10^6 would
  // make low codes likelier. It is skipped; 1234 gives "001234".
  ScriptedRandom random({4'294'000'000u, 1234u});
  EXPECT_EQ(new_one_time_secret(random).code, "001234");
  ScriptedRandom last_full({4'293'999'999u});
  EXPECT_EQ(new_one_time_secret(last_full).code, "999999");
}

TEST(CodeHasher, DependsOnKeyPurposeAddressAndCode) {
  const CodeHasher a("secret-a"), b("secret-b");
  const std::string h = a.hash("recovery", "ada@example.com", "123456");
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(h, a.hash("recovery", "ada@example.com", "123456")) << "deterministic";
  EXPECT_NE(h, b.hash("recovery", "ada@example.com", "123456")) << "keyed";
  EXPECT_NE(h, a.hash("signup", "ada@example.com", "123456"));
  EXPECT_NE(h, a.hash("recovery", "bob@example.com", "123456"));
  EXPECT_NE(h, a.hash("recovery", "ada@example.com", "123457"));
  // The parts are separated: moving a character across a boundary changes the hash.
  EXPECT_NE(a.hash("recovery", "ada@example.com1", "23456"), h);
  EXPECT_NE(h, link_hash("123456"));
  EXPECT_EQ(link_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace latchkey::crypto
