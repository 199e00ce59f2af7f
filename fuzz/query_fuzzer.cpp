// Query strings as GET /data reads them (limit, offset), plus query_param with a key taken
// from the input (the bytes before the first '\n'; the rest is the query string).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/core/request_body.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view key = nl == std::string_view::npos ? "limit" : input.substr(0, nl);
  const std::string_view query = nl == std::string_view::npos ? input : input.substr(nl + 1);

  const auto v = latchkey::api::query_param(query, key);
  // A decoded value can only shrink ("%41" -> "A"); it never grows past the query itself.
  if (v) LATCHKEY_FUZZ_CHECK(v->size() <= query.size());

  const auto limit = latchkey::api::int_query_param(query, "limit", 100, 1, 1000);
  if (limit) LATCHKEY_FUZZ_CHECK(*limit >= 1 && *limit <= 1000);
  if (!limit) LATCHKEY_FUZZ_CHECK(!limit.error().fields.empty());
  const auto offset = latchkey::api::int_query_param(query, "offset", 0, 0, INT32_MAX);
  if (offset) LATCHKEY_FUZZ_CHECK(*offset >= 0);
  // Absent means the fallback, never an error.
  if (!latchkey::api::query_param(query, "limit")) LATCHKEY_FUZZ_CHECK(limit && *limit == 100);
  return 0;
}
