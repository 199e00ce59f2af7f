#include "core/ip_address.hpp"

#include <gtest/gtest.h>

namespace latchkey::core {
namespace {

TEST(AddressBucket, GroupsIPv6ByItsSlash64AndKeepsIPv4Whole) {
  struct Case {
    const char* ip;
    const char* bucket;
  };
  const Case cases[] = {
      {"203.0.113.7", "203.0.113.7"},
      {"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
      {"2001:db8:1:2::1", "2001:db8:1:2::/64"},
      {"2001:DB8:1:2:0:0:0:ffff", "2001:db8:1:2::/64"},
      {"2001:db8:1:3::1", "2001:db8:1:3::/64"},
      {"::1", "::/64"},
      {"::ffff:192.0.2.1", "192.0.2.1"},  // IPv4-mapped: the IPv4 client it is
      {"not-an-address", "not-an-address"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(address_bucket(c.ip), c.bucket) << c.ip;
}

TEST(CanonicalIp, OneTextPerAddress) {
  EXPECT_EQ(canonical_ip("0:0::1"), "::1");
  EXPECT_EQ(canonical_ip("::FFFF:10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(canonical_ip("10.0.0.1"), "10.0.0.1");
  EXPECT_FALSE(canonical_ip("10.0.0.256"));
  EXPECT_FALSE(canonical_ip("1.2.3.4 "));
  EXPECT_FALSE(canonical_ip(std::string(100, '1')));
}

}  // namespace
}  // namespace latchkey::core
