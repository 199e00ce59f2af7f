#include "crypto/token_seal.hpp"

#include <gtest/gtest.h>

#include "crypto/base64url.hpp"
#include "crypto/digest.hpp"

namespace latchkey::crypto {
namespace {

TEST(TokenSeal, OpensOnlyUnderTheTokenItWasSealedUnder) {
  const std::string parent = random_token(32);
  const std::string child = random_token(32);
  const auto sealed = seal_under_token(parent, child, core::system_random());
  EXPECT_EQ(open_under_token(parent, sealed), child);
  EXPECT_EQ(sealed.find(child), std::string::npos) << "the secret shows through";
  EXPECT_EQ(open_under_token(random_token(32), sealed), std::nullopt);
  EXPECT_EQ(open_under_token(sha256_hex(parent), sealed), std::nullopt)
      << "the stored hash of the token must not open it";
  EXPECT_NE(seal_under_token(parent, child, core::system_random()), sealed) << "nonce reused";
}

TEST(TokenSeal, RefusesTamperedOrMalformedSeals) {
  const std::string parent = random_token(32);
  const auto sealed = seal_under_token(parent, "the live token", core::system_random());
  auto raw = base64url_decode(sealed).value();
  for (size_t i = 0; i < raw.size(); ++i) {
    auto flipped = raw;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    EXPECT_EQ(open_under_token(parent, base64url_encode(flipped)), std::nullopt) << "byte " << i;
  }
  EXPECT_EQ(open_under_token(parent, ""), std::nullopt);
  EXPECT_EQ(open_under_token(parent, "not base64url!"), std::nullopt);
  EXPECT_EQ(open_under_token(parent, base64url_encode(raw.substr(0, 39))), std::nullopt)
      << "shorter than nonce and tag";
  EXPECT_EQ(open_under_token(parent, base64url_encode(raw.substr(0, raw.size() - 1))),
            std::nullopt);
}

}  // namespace
}  // namespace latchkey::crypto
