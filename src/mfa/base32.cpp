#include "mfa/base32.hpp"

#include <array>
#include <cstdint>

namespace latchkey::mfa {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr uint8_t kInvalid = 0xff;

constexpr std::array<uint8_t, 256> make_decode_table() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (uint8_t i = 0; i < 32; ++i) {
    const char c = kAlphabet[i];
    t[static_cast<uint8_t>(c)] = i;
    if (c >= 'A' && c <= 'Z') t[static_cast<uint8_t>(c - 'A' + 'a')] = i;
  }
  return t;
}
constexpr auto kDecode = make_decode_table();

}  // namespace

std::string base32_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (const char c : bytes) {
    buffer = (buffer << 8) | static_cast<uint8_t>(c);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kAlphabet[(buffer >> bits) & 31]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  while (!text.empty() && (text.back() == '=' || text.back() == ' ')) text.remove_suffix(1);
  std::string out;
  out.reserve(text.size() * 5 / 8);
  uint32_t buffer = 0;
  int bits = 0;
  size_t symbols = 0;
  for (const char c : text) {
    if (c == ' ') continue;
    const uint8_t v = kDecode[static_cast<uint8_t>(c)];
    if (v == kInvalid) return std::nullopt;  // includes '=' before the end
    ++symbols;
    buffer = (buffer << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  // 1, 3 or 6 trailing symbols leave a whole symbol no byte needed: no encoder writes that.
  const size_t tail = symbols % 8;
  if (tail == 1 || tail == 3 || tail == 6) return std::nullopt;
  // Non-zero leftover bits would give one secret several spellings.
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace latchkey::mfa
