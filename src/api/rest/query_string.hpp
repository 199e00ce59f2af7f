#pragma once
// The query string as PostgREST reads it: form-encoded `key=value` pairs joined by '&'.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace latchkey::api::rest {

struct QueryParam {
  std::string key;
  std::optional<std::string> value;  // nullopt: the pair had no '=' (`?select`)
};

// Splits on '&' (empty pairs are skipped) and decodes each key and value as form data: '+' is
// a space, %XX a byte. Errors: PGRST100 for a '%' not followed by two hex digits;
// 22P05 for bytes PostgreSQL's text cannot hold (U+0000, invalid UTF-8), which libpq would
// otherwise cut or the server refuse later with a less useful message.
Result<std::vector<QueryParam>> decode_query(std::string_view raw);

}  // namespace latchkey::api::rest
