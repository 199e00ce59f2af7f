#include "crypto/password_hasher.hpp"

#include <gtest/gtest.h>

#include <string>

namespace latchkey::crypto {
namespace {

// Each hash or verify costs ~20 ms at the minimum parameters, so one hash is shared by the
// whole suite. The password has an embedded NUL so that "wrong password" also proves nothing
// is truncated at it.
const std::string kPassword("correct horse\0battery staple", 28);

class Argon2idHasherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto h = Argon2idHasher::create(kOwaspMinimum);
    ASSERT_TRUE(h.has_value());
    hash_ = new std::string(h->hash(kPassword));
  }
  static void TearDownTestSuite() {
    delete hash_;
    hash_ = nullptr;
  }
  static const std::string& stored() { return *hash_; }
  static Argon2idHasher hasher(Argon2Params p = kOwaspMinimum) {
    return Argon2idHasher::create(p).value();
  }

 private:
  static inline std::string* hash_ = nullptr;
};

TEST_F(Argon2idHasherTest, HashIsArgon2idPhcStringWithConfiguredParams) {
  EXPECT_TRUE(stored().starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << stored();
}

TEST_F(Argon2idHasherTest, VerifiesCorrectPassword) {
  EXPECT_TRUE(hasher().verify(stored(), kPassword));
}

TEST_F(Argon2idHasherTest, RejectsWrongPassword) {
  EXPECT_FALSE(hasher().verify(stored(), "correct horse"));  // the part before the NUL
}

TEST_F(Argon2idHasherTest, MalformedHashVerifiesFalseWithoutThrowing) {
  const std::string malformed[] = {
      "",
      "not a hash",
      stored().substr(0, stored().size() / 2),
      "$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaA",  // another algorithm
      "$argon2id$v=19$m=19456,t=2,p=1$$",
      stored() + std::string(1, '\0') + "x",
      std::string(300, 'a'),
  };
  const auto h = hasher();
  for (const auto& m : malformed) {
    EXPECT_FALSE(h.verify(m, kPassword)) << m;
    EXPECT_TRUE(h.needs_rehash(m)) << m;
  }
}

TEST_F(Argon2idHasherTest, NeedsRehashOnlyWhenParamsDiffer) {
  EXPECT_FALSE(hasher().needs_rehash(stored()));
  EXPECT_TRUE(hasher({.memory_kib = 19 * 1024, .iterations = 3}).needs_rehash(stored()));
  EXPECT_TRUE(hasher({.memory_kib = 32 * 1024, .iterations = 2}).needs_rehash(stored()));
}

TEST_F(Argon2idHasherTest, HasherWithOtherParamsStillVerifiesOldHash) {
  // Verification reads the parameters from the hash, so raising them does not lock users out.
  EXPECT_TRUE(hasher({.memory_kib = 32 * 1024, .iterations = 3}).verify(stored(), kPassword));
}

TEST(Argon2idHasherCreate, RefusesParamsBelowOwaspMinimum) {
  const Argon2Params weak[] = {
      {.memory_kib = 19 * 1024 - 1, .iterations = 2},
      {.memory_kib = 19 * 1024, .iterations = 1},
      {.memory_kib = 64 * 1024, .iterations = 1},
      {.memory_kib = 0, .iterations = 0},
  };
  for (const auto& p : weak) {
    const auto h = Argon2idHasher::create(p);
    ASSERT_FALSE(h.has_value()) << p.memory_kib << "/" << p.iterations;
    EXPECT_EQ(h.error().code, Errc::invalid_input);
  }
}

TEST(Argon2idHasherCreate, AcceptsMinimumAndStrongerParams) {
  EXPECT_TRUE(Argon2idHasher::create(kOwaspMinimum).has_value());
  const auto strong = Argon2idHasher::create({.memory_kib = 64 * 1024, .iterations = 3});
  ASSERT_TRUE(strong.has_value());
  EXPECT_EQ(strong->params().memory_kib, 64u * 1024);
  EXPECT_EQ(strong->params().iterations, 3u);
}

}  // namespace
}  // namespace latchkey::crypto
