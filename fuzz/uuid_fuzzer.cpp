// core::Uuid::parse on arbitrary bytes. Item ids come from URLs: whatever parses must be the
// one canonical spelling of its id (so no other text can address the same item), and the
// parser must never read outside its input.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "core/ascii.hpp"
#include "core/uuid.hpp"
#include "fuzz_check.hpp"

namespace {

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An exact-size heap copy: libFuzzer's own buffer may have slack after it, ASan reports any
  // read past this one.
  const auto copy = std::make_unique<char[]>(size);
  if (size) std::memcpy(copy.get(), data, size);
  const std::string_view text(copy.get(), size);

  const auto id = latchkey::core::Uuid::parse(text);
  if (!id) return 0;
  LATCHKEY_FUZZ_CHECK(text.size() == 36);
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23)
      LATCHKEY_FUZZ_CHECK(text[i] == '-');
    else
      LATCHKEY_FUZZ_CHECK(is_hex(text[i]));
  }
  LATCHKEY_FUZZ_CHECK(id->str() == latchkey::core::ascii_lower(text));
  return 0;
}
