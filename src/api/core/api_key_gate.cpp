#include "api/core/api_key_gate.hpp"

#include "api/core/request_body.hpp"

namespace latchkey::api {

Gate api_key_gate(const auth::AuthService& auth, std::set<std::string> open_patterns) {
  return [&auth, open = std::move(open_patterns)](const http::Request& req,
                                                  const Route& route) -> std::optional<Error> {
    if (open.count(route.pattern)) return std::nullopt;
    std::string key(req.header("apikey"));
    if (key.empty()) key = query_param(req.query, "apikey").value_or("");
    if (key.empty()) {
      return Error::make(ErrorCode::no_api_key, "No API key found in request", "no apikey");
    }
    if (auto role = auth.verify_api_key(key); !role) return std::move(role).error();
    return std::nullopt;
  };
}

}  // namespace latchkey::api
