// api::is_valid_email on arbitrary bytes. Whatever it accepts is stored and later compared
// as the account key, so acceptance must imply the basic shape of an address.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/core/request_body.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view email(reinterpret_cast<const char*>(data), size);
  if (!latchkey::api::is_valid_email(email)) return 0;
  LATCHKEY_FUZZ_CHECK(std::count(email.begin(), email.end(), '@') == 1);
  LATCHKEY_FUZZ_CHECK(email.size() <= 254);
  const size_t at = email.find('@');
  LATCHKEY_FUZZ_CHECK(at > 0 && at + 1 < email.size());
  // No byte that could end a header, a log field or a SQL literal early.
  for (const char c : email) {
    const auto u = static_cast<unsigned char>(c);
    LATCHKEY_FUZZ_CHECK(u > 0x20 && u != 0x7f);
  }
  return 0;
}
