#include "core/uuid.hpp"


namespace latchkey::core {

Uuid Uuid::random_v4() { return random_v4(system_random()); }

Uuid Uuid::random_v4(RandomSource& random) {
  Uuid u;
  random.fill(u.b_.data(), u.b_.size());
  u.b_[6] = (u.b_[6] & 0x0f) | 0x40;  // version 4
  u.b_[8] = (u.b_[8] & 0x3f) | 0x80;  // RFC 4122 variant
  return u;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<Uuid> Uuid::parse(std::string_view t) {
  // Security: ids come from URLs, so each id has exactly one accepted spelling (up to case).
  // Every byte is read at a fixed offset of 8-4-4-4-12; skipping dashes instead let extra
  // dashes parse to another id, and read past the end when they cut the last pair short.
  static constexpr size_t kPairAt[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
  if (t.size() != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-')
    return std::nullopt;
  Uuid u;
  for (size_t k = 0; k < 16; ++k) {
    const int hi = hex_value(t[kPairAt[k]]), lo = hex_value(t[kPairAt[k] + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    u.b_[k] = uint8_t(hi << 4 | lo);
  }
  return u;
}

std::string Uuid::str() const {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[36];
  char* p = buf;
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *p++ = '-';
    *p++ = kHex[b_[i] >> 4];
    *p++ = kHex[b_[i] & 15];
  }
  return std::string(buf, sizeof buf);
}

}  // namespace latchkey::core
