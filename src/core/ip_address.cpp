#include "core/ip_address.hpp"

#include <algorithm>

#include <arpa/inet.h>

#include <array>
#include <cstring>

namespace latchkey::core {
namespace {

struct Parsed {
  int family = 0;
  std::array<unsigned char, 16> bytes{};
};

std::optional<Parsed> parse(std::string_view text) {
  // inet_pton wants a NUL-terminated string; an address is at most 45 characters.
  std::array<char, 64> buf{};
  if (text.empty() || text.size() >= buf.size()) return std::nullopt;
  std::memcpy(buf.data(), text.data(), text.size());
  Parsed p;
  if (inet_pton(AF_INET, buf.data(), p.bytes.data()) == 1) {
    p.family = AF_INET;
    return p;
  }
  if (inet_pton(AF_INET6, buf.data(), p.bytes.data()) != 1) return std::nullopt;
  static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(p.bytes.data(), kMappedPrefix, sizeof kMappedPrefix) == 0) {
    std::memmove(p.bytes.data(), p.bytes.data() + 12, 4);
    p.family = AF_INET;
  } else {
    p.family = AF_INET6;
  }
  return p;
}

std::string to_text(const Parsed& p) {
  std::array<char, INET6_ADDRSTRLEN> out{};
  inet_ntop(p.family, p.bytes.data(), out.data(), out.size());
  return out.data();
}

}  // namespace

std::optional<std::string> canonical_ip(std::string_view text) {
  auto p = parse(text);
  if (!p) return std::nullopt;
  return to_text(*p);
}

std::string address_bucket(std::string_view ip) {
  auto p = parse(ip);
  if (!p) return std::string(ip);
  if (p->family == AF_INET) return to_text(*p);
  std::fill(p->bytes.begin() + 8, p->bytes.end(), 0);
  return to_text(*p) + "/64";
}

AddressList::AddressList(const std::vector<std::string>& addresses) {
  for (const auto& ip : addresses) canonical_.push_back(canonical_ip(ip).value_or(ip));
}

bool AddressList::contains(std::string_view ip) const {
  const auto canonical = canonical_ip(ip);
  return canonical && std::find(canonical_.begin(), canonical_.end(), *canonical) != canonical_.end();
}

}  // namespace latchkey::core
