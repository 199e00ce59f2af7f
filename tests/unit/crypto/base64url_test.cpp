#include "crypto/base64url.hpp"

#include <gtest/gtest.h>

#include <string>

namespace latchkey::crypto {
namespace {

struct Vector {
  std::string bytes;
  std::string text;
};

// RFC 4648 section 10 vectors without padding, plus bytes that hit the two URL-safe symbols.
const Vector kVectors[] = {
    {"", ""},
    {"f", "Zg"},
    {"fo", "Zm8"},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg"},
    {"fooba", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy"},
    {"\xfb\xff", "-_8"},
    {"\xfb\xef\xbe", "----"},
    {"\xff\xff\xff", "____"},
    {std::string("\0\0\0", 3), "AAAA"},
};

TEST(Base64Url, EncodesKnownVectors) {
  for (const auto& v : kVectors) EXPECT_EQ(base64url_encode(v.bytes), v.text) << v.text;
}

TEST(Base64Url, DecodesKnownVectors) {
  for (const auto& v : kVectors) {
    const auto decoded = base64url_decode(v.text);
    ASSERT_TRUE(decoded.has_value()) << v.text;
    EXPECT_EQ(*decoded, v.bytes) << v.text;
  }
}

TEST(Base64Url, RoundTripsEveryByteValueAtEveryTailLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t len = 0; len <= all.size(); ++len) {
    const std::string bytes = all.substr(all.size() - len);  // ends in 0xff: a set tail
    const std::string text = base64url_encode(bytes);
    EXPECT_EQ(text.size(), (len * 4 + 2) / 3);
    const auto back = base64url_decode(text);
    ASSERT_TRUE(back.has_value()) << len;
    EXPECT_EQ(*back, bytes) << len;
  }
}

struct Rejected {
  const char* why;
  std::string text;
};

const Rejected kRejected[] = {
    {"padding after two chars", "Zg=="},
    {"padding after three chars", "Zm8="},
    {"lone padding", "===="},
    {"one char", "Z"},
    {"length 4n+1", "Zm9vY"},
    {"standard alphabet plus", "Zm+v"},
    {"standard alphabet slash", "Zm/v"},
    {"space", "Zm9 v"},
    {"newline", "Zm9v\nYmFy"},
    {"embedded NUL", std::string("Zm\0v", 4)},
    {"non-ASCII byte",
     "\xc3\xa9"
     "AA"},
    {"dot", "Zm9v.mFy"},
    // "Zg" is the canonical form of "f"; "Zh" differs only in bits below the last byte.
    {"non-canonical 2-char tail", "Zh"},
    // "Zm8" is canonical for "fo"; '9' sets the two unused low bits.
    {"non-canonical 3-char tail", "Zm9"},
};

TEST(Base64Url, RejectsMalformedInput) {
  for (const auto& r : kRejected) EXPECT_FALSE(base64url_decode(r.text).has_value()) << r.why;
}

}  // namespace
}  // namespace latchkey::crypto
