#include "api/seed/errors.hpp"

#include <nlohmann/json.hpp>

#include "core/log.hpp"

namespace latchkey::api::seed {

int http_status(Errc code) {
  switch (code) {
    case Errc::invalid_input:
      return 422;
    case Errc::bad_request:
      return 400;
    case Errc::unauthenticated:
      return 401;
    case Errc::forbidden:
      return 403;
    case Errc::not_found:
      return 404;
    case Errc::conflict:
      return 400;  // the seed contract answers a taken email with 400, not 409
    case Errc::rate_limited:
      return 429;
    case Errc::unavailable:
      return 503;
    case Errc::internal:
      return 500;
  }
  return 500;
}

namespace {

nlohmann::json field_errors_json(const std::vector<FieldError>& fields) {
  auto list = nlohmann::json::array();
  for (const auto& f : fields) {
    auto loc = nlohmann::json::array();
    for (const auto& part : f.loc) {
      std::visit([&](const auto& v) { loc.push_back(v); }, part);
    }
    list.push_back({{"type", f.type}, {"loc", std::move(loc)}, {"msg", f.msg}});
  }
  return list;
}

http::Response make(int status, nlohmann::json detail, std::string_view message) {
  nlohmann::json body{{"detail", std::move(detail)},
                      {"error", true},
                      {"message", message},
                      {"status_code", status}};
  http::Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace

http::Response error_response(const Error& error) {
  const int status = http_status(error.code);
  std::string_view message = error.public_message();
  if (error.code == Errc::internal) {
    core::log_event(core::LogLevel::error, "internal error", {{"detail", error.detail}});
    // Driver and start-up wording stays in the log.
    message = default_message(ErrorCode::unexpected_failure);
  }
  auto r = error.code == Errc::invalid_input && !error.fields.empty()
               ? make(status, field_errors_json(error.fields), message)
               : make(status, message, message);
  if (error.code == Errc::unauthenticated) r.headers.push_back({"WWW-Authenticate", "Bearer"});
  if (error.code == Errc::rate_limited || error.code == Errc::unavailable) {
    r.headers.push_back({"Retry-After", std::to_string(std::max(1, error.retry_after_s))});
  }
  return r;
}

http::Response error_response(int status, std::string_view message) {
  return make(status, message, message);
}

ErrorRenderer tutorial_errors() {
  return ErrorRenderer{[](const Error& e) { return error_response(e); },
                       [](int status, std::string_view message) {
                         return error_response(status, message);
                       }};
}

}  // namespace latchkey::api::seed
