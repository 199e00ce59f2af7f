#include "mfa/totp.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "mfa/base32.hpp"
#include "support/sequence_random.hpp"

namespace latchkey::mfa {
namespace {

// RFC 6238 Appendix B's seeds: the ASCII digits repeated to each hash's output size.
const std::string kSeed20 = "12345678901234567890";
const std::string kSeed32 = "12345678901234567890123456789012";
const std::string kSeed64 = "1234567890123456789012345678901234567890123456789012345678901234";

TEST(Hotp, MatchesRfc4226AppendixD) {
  const char* const kCodes[] = {"755224", "287082", "359152", "969429", "338314",
                                "254676", "287922", "162583", "399871", "520489"};
  for (uint64_t counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(hotp_code(kSeed20, counter), kCodes[counter]) << counter;
  }
}

TEST(Hotp, RefusesDigitCountsOutsideSixToEight) {
  EXPECT_THROW(hotp_code(kSeed20, 0, 5), std::invalid_argument);
  EXPECT_THROW(hotp_code(kSeed20, 0, 9), std::invalid_argument);
  EXPECT_EQ(hotp_code(kSeed20, 1, 8).size(), 8u);
}

struct TotpVector {
  int64_t time;
  const char* code;
  TotpHash hash;
};

const TotpVector kAppendixB[] = {
    {59, "94287082", TotpHash::sha1},
    {59, "46119246", TotpHash::sha256},
    {59, "90693936", TotpHash::sha512},
    {1111111109, "07081804", TotpHash::sha1},
    {1111111109, "68084774", TotpHash::sha256},
    {1111111109, "25091201", TotpHash::sha512},
    {1111111111, "14050471", TotpHash::sha1},
    {1111111111, "67062674", TotpHash::sha256},
    {1111111111, "99943326", TotpHash::sha512},
    {1234567890, "89005924", TotpHash::sha1},
    {1234567890, "91819424", TotpHash::sha256},
    {1234567890, "93441116", TotpHash::sha512},
    {2000000000, "69279037", TotpHash::sha1},
    {2000000000, "90698825", TotpHash::sha256},
    {2000000000, "38618901", TotpHash::sha512},
    {20000000000, "65353130", TotpHash::sha1},
    {20000000000, "77737706", TotpHash::sha256},
    {20000000000, "47863826", TotpHash::sha512},
};

const std::string& seed_for(TotpHash hash) {
  switch (hash) {
    case TotpHash::sha1:
      return kSeed20;
    case TotpHash::sha256:
      return kSeed32;
    case TotpHash::sha512:
      return kSeed64;
  }
  throw std::logic_error("unknown hash");
}

TEST(Totp, MatchesRfc6238AppendixB) {
  for (const auto& v : kAppendixB) {
    EXPECT_EQ(totp_code(seed_for(v.hash), v.time, 8, v.hash), v.code)
        << v.time << " hash " << static_cast<int>(v.hash);
  }
}

TEST(Totp, SixDigitCodesAreTheLastSixOfTheEightDigitOnes) {
  EXPECT_EQ(totp_code(kSeed20, 59), "287082");
  EXPECT_EQ(totp_code(kSeed20, 1111111109), "081804") << "leading zero kept";
}

TEST(Totp, StepsAreThirtySecondsFromTheEpochRoundedDown) {
  EXPECT_EQ(totp_step(0), 0);
  EXPECT_EQ(totp_step(29), 0);
  EXPECT_EQ(totp_step(30), 1);
  EXPECT_EQ(totp_step(59), 1);
  EXPECT_EQ(totp_step(-1), -1);
  EXPECT_EQ(totp_code(kSeed20, 30), totp_code(kSeed20, 59));
  EXPECT_NE(totp_code(kSeed20, 59), totp_code(kSeed20, 60));
  EXPECT_THROW(totp_code(kSeed20, -1), std::invalid_argument);
}

// A time in the middle of step s, so that +-1 s never crosses a step.
constexpr int64_t kStep = 37'037'037;
constexpr int64_t kNow = kStep * 30 + 15;

std::string code_of(int64_t step) { return hotp_code(kSeed20, static_cast<uint64_t>(step)); }

TEST(TotpVerify, AcceptsTheCurrentStepAndOneEitherSide) {
  EXPECT_EQ(totp_verify(kSeed20, code_of(kStep), kNow, -1), kStep);
  EXPECT_EQ(totp_verify(kSeed20, code_of(kStep - 1), kNow, -1), kStep - 1);
  EXPECT_EQ(totp_verify(kSeed20, code_of(kStep + 1), kNow, -1), kStep + 1);
}

TEST(TotpVerify, RefusesCodesTwoStepsAway) {
  EXPECT_EQ(totp_verify(kSeed20, code_of(kStep - 2), kNow, -1), std::nullopt);
  EXPECT_EQ(totp_verify(kSeed20, code_of(kStep + 2), kNow, -1), std::nullopt);
}

TEST(TotpVerify, AcceptsEachCodeOnce) {
  const auto first = totp_verify(kSeed20, code_of(kStep), kNow, -1);
  ASSERT_EQ(first, kStep);
  EXPECT_EQ(totp_verify(kSeed20, code_of(kStep), kNow, *first), std::nullopt) << "replayed";
  EXPECT_EQ(totp_verify(kSeed20, code_of(kStep), kNow + 30, *first), std::nullopt)
      << "replayed a step later, still inside the window";
  EXPECT_EQ(totp_verify(kSeed20, code_of(kStep - 1), kNow, *first), std::nullopt)
      << "an older step than the last one used";
  EXPECT_EQ(totp_verify(kSeed20, code_of(kStep + 1), kNow + 30, *first), kStep + 1)
      << "the next step's code";
}

TEST(TotpVerify, AfterAFutureStepWasUsedTheCurrentOneIsRefused) {
  // The +1 window let the next step's code in early; the current code is older than that.
  ASSERT_EQ(totp_verify(kSeed20, code_of(kStep + 1), kNow, -1), kStep + 1);
  EXPECT_EQ(totp_verify(kSeed20, code_of(kStep), kNow, kStep + 1), std::nullopt);
}

TEST(TotpVerify, WhenTwoStepsShareACodeTheLaterOneIsTaken) {
  // Found by search: under this secret steps 1 and 3 both have the code 006831.
  const std::string secret = "collision-0000089398";
  ASSERT_EQ(hotp_code(secret, 1), "006831");
  ASSERT_EQ(hotp_code(secret, 3), "006831");
  ASSERT_NE(hotp_code(secret, 2), "006831");
  const int64_t in_step_2 = 2 * 30 + 15;
  const auto used = totp_verify(secret, "006831", in_step_2, -1);
  EXPECT_EQ(used, 3) << "taking step 1 would let the same digits in again as step 3";
  EXPECT_EQ(totp_verify(secret, "006831", in_step_2, used.value_or(-1)), std::nullopt);
}

TEST(TotpVerify, RefusesAnotherSecretsCode) {
  EXPECT_EQ(totp_verify(kSeed20, hotp_code(kSeed32, kStep), kNow, -1), std::nullopt);
  EXPECT_EQ(totp_verify(kSeed32, code_of(kStep), kNow, -1), std::nullopt);
}

TEST(TotpVerify, RefusesAnythingButSixAsciiDigits) {
  const std::string good = code_of(kStep);
  const std::string bad[] = {
      "",
      good.substr(0, 5),
      good + "0",
      "0" + good,
      " " + good,
      good + " ",
      good + "\n",
      good.substr(0, 3) + " " + good.substr(3),
      good.substr(0, 5) + "a",
      "+" + good.substr(1),
      std::string(good).append(1, '\0'),
      hotp_code(kSeed20, kStep, 8),
  };
  for (const auto& code : bad)
    EXPECT_EQ(totp_verify(kSeed20, code, kNow, -1), std::nullopt) << code;
}

TEST(TotpVerify, WorksInTheFirstStepAfterTheEpoch) {
  // Step -1 does not exist: it is skipped, not computed.
  EXPECT_EQ(totp_verify(kSeed20, code_of(0), 10, -1), 0);
  EXPECT_EQ(totp_verify(kSeed20, code_of(1), 10, -1), 1);
}

TEST(TotpSecret, IsTwentyRandomBytes) {
  latchkey::testing::SequenceRandom random(7);
  const std::string a = new_totp_secret(random);
  EXPECT_EQ(a.size(), 20u);
  EXPECT_EQ(random.drawn(), 20u);
  const std::string b = new_totp_secret(random);
  EXPECT_NE(a, b);
  EXPECT_EQ(base32_encode(a).size(), 32u) << "no padding needed";
}

struct UriCase {
  const char* why;
  std::string issuer;
  std::string account;
  std::string uri;
};

const UriCase kUris[] = {
    // What GoTrue's enroll returns for its default issuer (the site URL's host) and an email.
    {"GoTrue's form", "localhost:3000", "ada@example.com",
     "otpauth://totp/localhost:3000:ada@example.com?algorithm=SHA1&digits=6"
     "&issuer=localhost:3000&period=30&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
    {"spaces are %20, not +", "Acme Corp", "ada@example.com",
     "otpauth://totp/Acme%20Corp:ada@example.com?algorithm=SHA1&digits=6"
     "&issuer=Acme%20Corp&period=30&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
    {"query delimiters and plus are encoded", "A&B=C+D", "ada+tag@example.com",
     "otpauth://totp/A%26B%3DC%2BD:ada%2Btag@example.com?algorithm=SHA1&digits=6"
     "&issuer=A%26B%3DC%2BD&period=30&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
    {"path, query and fragment characters", "a/b?c#d", "x%y",
     "otpauth://totp/a%2Fb%3Fc%23d:x%25y?algorithm=SHA1&digits=6"
     "&issuer=a%2Fb%3Fc%23d&period=30&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
    {"UTF-8 bytes, upper-case hex", "Zo\xc3\xab", "\xc3\xa9@example.com",
     "otpauth://totp/Zo%C3%AB:%C3%A9@example.com?algorithm=SHA1&digits=6"
     "&issuer=Zo%C3%AB&period=30&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
    {"no issuer", "", "ada@example.com",
     "otpauth://totp/ada@example.com?algorithm=SHA1&digits=6&period=30"
     "&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
};

TEST(OtpauthUri, FollowsGoTrueAndEncodesLabelAndIssuer) {
  for (const auto& c : kUris) {
    EXPECT_EQ(otpauth_uri(c.issuer, c.account, base32_encode(kSeed20)), c.uri) << c.why;
  }
}

}  // namespace
}  // namespace latchkey::mfa
