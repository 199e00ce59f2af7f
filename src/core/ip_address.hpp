#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace latchkey::core {

// The canonical text of an IPv4 or IPv6 address (inet_ntop's form; an IPv4-mapped IPv6
// address as plain IPv4); nullopt if `text` is not an address.
std::optional<std::string> canonical_ip(std::string_view text);

// A fixed list of addresses (trusted proxies), compared in canonical form, so "::1" and
// "0:0::1" are one address. Entries that are not addresses are kept as written.
class AddressList {
 public:
  AddressList() = default;
  explicit AddressList(const std::vector<std::string>& addresses);
  bool empty() const { return canonical_.empty(); }
  bool contains(std::string_view ip) const;

 private:
  std::vector<std::string> canonical_;
};

// The key that per-address limits count a client under: its IPv4 address, or its IPv6 /64.
// One IPv6 host usually holds a whole /64 (SLAAC, privacy addresses), so counting full
// addresses would give it 2^64 budgets. Text that is not an address is used as it is.
std::string address_bucket(std::string_view ip);

}  // namespace latchkey::core
