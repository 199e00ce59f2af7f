#include "crypto/seal.hpp"

#include <gtest/gtest.h>

#include "crypto/base64url.hpp"
#include "crypto/digest.hpp"

namespace latchkey::crypto {
namespace {

constexpr auto kRefresh = SealPurpose::refresh_successor;

TEST(Seal, OpensOnlyUnderTheMaterialAndPurposeItWasSealedUnder) {
  const std::string parent = random_token(32);
  const std::string child = random_token(32);
  const auto sealed = seal(parent, kRefresh, child, core::system_random());
  EXPECT_EQ(open_sealed(parent, kRefresh, sealed), child);
  EXPECT_EQ(sealed.find(child), std::string::npos) << "the secret shows through";
  EXPECT_EQ(open_sealed(random_token(32), kRefresh, sealed), std::nullopt);
  EXPECT_EQ(open_sealed(sha256_hex(parent), kRefresh, sealed), std::nullopt)
      << "the stored hash of the token must not open it";
  EXPECT_EQ(open_sealed(parent, SealPurpose::stored_secret, sealed), std::nullopt)
      << "a key of one purpose must not open another's seals";
  EXPECT_NE(seal(parent, kRefresh, child, core::system_random()), sealed) << "nonce reused";
}

TEST(Seal, RefusesTamperedOrMalformedSeals) {
  const std::string parent = random_token(32);
  const auto sealed = seal(parent, kRefresh, "the live token", core::system_random());
  auto raw = base64url_decode(sealed).value();
  for (size_t i = 0; i < raw.size(); ++i) {
    auto flipped = raw;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    EXPECT_EQ(open_sealed(parent, kRefresh, base64url_encode(flipped)), std::nullopt)
        << "byte " << i;
  }
  EXPECT_EQ(open_sealed(parent, kRefresh, ""), std::nullopt);
  EXPECT_EQ(open_sealed(parent, kRefresh, "not base64url!"), std::nullopt);
  EXPECT_EQ(open_sealed(parent, kRefresh, base64url_encode(raw.substr(0, 39))), std::nullopt)
      << "shorter than nonce and tag";
  EXPECT_EQ(open_sealed(parent, kRefresh, base64url_encode(raw.substr(0, raw.size() - 1))),
            std::nullopt);
}

}  // namespace
}  // namespace latchkey::crypto
