#include "mfa/base32.hpp"

#include <gtest/gtest.h>

#include <string>

namespace latchkey::mfa {
namespace {

struct Vector {
  std::string bytes;
  std::string text;    // what we write: no padding
  std::string padded;  // RFC 4648 section 10, as printed there
};

const Vector kVectors[] = {
    {"", "", ""},
    {"f", "MY", "MY======"},
    {"fo", "MZXQ", "MZXQ===="},
    {"foo", "MZXW6", "MZXW6==="},
    {"foob", "MZXW6YQ", "MZXW6YQ="},
    {"fooba", "MZXW6YTB", "MZXW6YTB"},
    {"foobar", "MZXW6YTBOI", "MZXW6YTBOI======"},
    // RFC 6238's SHA-1 seed: 20 bytes, the size of a GoTrue secret, need no padding.
    {"12345678901234567890", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
     "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
    {"\xff\xff\xff\xff\xff", "77777777", "77777777"},
    {std::string("\0\0\0\0\0", 5), "AAAAAAAA", "AAAAAAAA"},
};

TEST(Base32, EncodesRfc4648VectorsUpperCaseWithoutPadding) {
  for (const auto& v : kVectors) EXPECT_EQ(base32_encode(v.bytes), v.text) << v.padded;
}

TEST(Base32, DecodesRfc4648VectorsWithAndWithoutPadding) {
  for (const auto& v : kVectors) {
    EXPECT_EQ(base32_decode(v.text), v.bytes) << v.text;
    EXPECT_EQ(base32_decode(v.padded), v.bytes) << v.padded;
  }
}

TEST(Base32, DecodesWhatPeopleTypeOrPaste) {
  const std::string seed = "12345678901234567890";
  EXPECT_EQ(base32_decode("gezdgnbvgy3tqojqgezdgnbvgy3tqojq"), seed) << "lower case";
  EXPECT_EQ(base32_decode("GEZD gnbv GY3T qojq GEZD GNBV GY3T QOJQ"), seed) << "grouped";
  EXPECT_EQ(base32_decode(" GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ "), seed) << "surrounding spaces";
  EXPECT_EQ(base32_decode("MZXW6=== "), "foo") << "padding, then a space";
  EXPECT_EQ(base32_decode("MZXW6"), "foo");
}

TEST(Base32, RoundTripsEveryByteValueAtEveryTailLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t len = 0; len <= 40; ++len) {
    const std::string bytes = all.substr(all.size() - len);  // ends in 0xff: every tail bit set
    const std::string text = base32_encode(bytes);
    EXPECT_EQ(text.size(), (len * 8 + 4) / 5);
    EXPECT_EQ(base32_decode(text), bytes) << len;
  }
}

struct Rejected {
  const char* why;
  std::string text;
};

const Rejected kRejected[] = {
    {"digit 0 (not in the alphabet)", "MZXW0"},
    {"digit 1", "MZXW1"},
    {"digit 8", "MZXW8"},
    {"digit 9", "MZXW9"},
    {"hyphen", "MZXW-6YQ"},
    {"tab", "MZXW\t6YQ"},
    {"newline", "MZXW6\nYQ"},
    {"embedded NUL", std::string("MZ\0XW6", 6)},
    {"non-ASCII letter", "MZX\xc3\x89W6"},
    {"padding inside", "MY=ZXW6"},
    {"padding first", "=MZXW6"},
    // Lengths no byte string encodes to, even with every leftover bit clear.
    {"one symbol", "A"},
    {"three symbols", "AAA"},
    {"six symbols", "MZXW6A"},
    {"nine symbols", "MZXW6YTBA"},
    // "MY" is the only spelling of "f"; "MZ" differs only in bits below the last byte.
    {"non-canonical tail", "MZ"},
    {"non-canonical 4-symbol tail", "MZXR"},
};

TEST(Base32, RejectsMalformedInput) {
  for (const auto& r : kRejected) EXPECT_EQ(base32_decode(r.text), std::nullopt) << r.why;
}

}  // namespace
}  // namespace latchkey::mfa
