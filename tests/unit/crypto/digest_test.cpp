#include "crypto/digest.hpp"

#include <gtest/gtest.h>

#include "crypto/base64url.hpp"

namespace latchkey::crypto {
namespace {

TEST(Sha256Hex, MatchesFipsVectors) {
  struct Case {
    std::string_view in;
    std::string_view hex;
  };
  const Case cases[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
  };
  for (const auto& c : cases) EXPECT_EQ(sha256_hex(c.in), c.hex) << c.in;
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  struct Case {
    std::string_view a, b;
    bool equal;
  };
  const Case cases[] = {
      {"", "", true},
      {"abc", "abc", true},
      {"abc", "abd", false},
      {"abc", "ab", false},
      {"", "a", false},
      {"xbc", "abc", false},
      {std::string_view("a\0b", 3), std::string_view("a\0c", 3), false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(constant_time_equal(c.a, c.b), c.equal) << c.a << "|" << c.b;
}

TEST(RandomToken, EncodesRequestedByteCount) {
  for (size_t n : {0u, 1u, 16u, 32u, 33u}) {
    const std::string token = random_token(n);
    const auto raw = base64url_decode(token);
    ASSERT_TRUE(raw.has_value()) << token;
    EXPECT_EQ(raw->size(), n);
  }
}

TEST(RandomToken, TwoTokensDiffer) { EXPECT_NE(random_token(32), random_token(32)); }

}  // namespace
}  // namespace latchkey::crypto
