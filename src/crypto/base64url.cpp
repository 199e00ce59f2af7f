#include "crypto/base64url.hpp"

#include <array>
#include <cstdint>

namespace latchkey::crypto {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr uint8_t kInvalid = 0xff;

// Reverse table built at compile time: every byte outside the alphabet (including '=', '+',
// '/', whitespace and NUL) maps to kInvalid, so decode needs one load per character.
constexpr std::array<uint8_t, 256> make_decode_table() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (uint8_t i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = i;
  return t;
}
constexpr auto kDecode = make_decode_table();

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  const auto* in = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  std::string out((n / 3) * 4 + (n % 3 == 0 ? 0 : n % 3 + 1), '\0');
  char* o = out.data();
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = uint32_t(in[i]) << 16 | uint32_t(in[i + 1]) << 8 | in[i + 2];
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
    *o++ = kAlphabet[v & 63];
  }
  if (n - i == 1) {
    const uint32_t v = uint32_t(in[i]) << 16;
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
  } else if (n - i == 2) {
    const uint32_t v = uint32_t(in[i]) << 16 | uint32_t(in[i + 1]) << 8;
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  const size_t n = text.size();
  // One leftover character carries only 6 bits: no byte string encodes to that length.
  if (n % 4 == 1) return std::nullopt;
  const auto* in = reinterpret_cast<const uint8_t*>(text.data());
  std::string out((n / 4) * 3 + (n % 4 == 0 ? 0 : n % 4 - 1), '\0');
  auto* o = reinterpret_cast<uint8_t*>(out.data());
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint32_t a = kDecode[in[i]], b = kDecode[in[i + 1]], c = kDecode[in[i + 2]],
                   d = kDecode[in[i + 3]];
    // kInvalid has bit 7 set and no valid value does, so one test checks all four.
    if ((a | b | c | d) & 0x80) return std::nullopt;
    const uint32_t v = a << 18 | b << 12 | c << 6 | d;
    *o++ = uint8_t(v >> 16);
    *o++ = uint8_t(v >> 8);
    *o++ = uint8_t(v);
  }
  // Tail: reject set bits below the last whole byte. Accepting them would give one byte string
  // several encodings, so a token could be altered without changing what it decodes to.
  if (n - i == 2) {
    const uint32_t a = kDecode[in[i]], b = kDecode[in[i + 1]];
    if ((a | b) & 0x80 || (b & 0x0f) != 0) return std::nullopt;
    *o++ = uint8_t(a << 2 | b >> 4);
  } else if (n - i == 3) {
    const uint32_t a = kDecode[in[i]], b = kDecode[in[i + 1]], c = kDecode[in[i + 2]];
    if ((a | b | c) & 0x80 || (c & 0x03) != 0) return std::nullopt;
    const uint32_t v = a << 18 | b << 12 | c << 6;
    *o++ = uint8_t(v >> 16);
    *o++ = uint8_t(v >> 8);
  }
  return out;
}

}  // namespace latchkey::crypto
