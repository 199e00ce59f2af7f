#pragma once
// Beast's HTTP/1 parser feeding a latchkey::http::Request directly: fields and body land in
// their final strings once, with no intermediate beast::http::fields container. Private to
// src/http (includes Beast).
#include <boost/beast/http/basic_parser.hpp>
#include <cstddef>
#include <string_view>

#include "http/message.hpp"

namespace latchkey::http {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // A body with a Content-Length up to this gets it reserved at once; a bigger one starts
  // here and grows with the bytes that arrive, whatever it announced.
  static constexpr size_t kFirstBodyReserveBytes = 16 * 1024;

  explicit RequestParser(size_t max_target_bytes) : max_target_bytes_(max_target_bytes) {}

  // Valid once the request line is parsed.
  int version() const { return version_; }
  // The method as sent; valid while the parser lives (points into a static table or into
  // the request's own copy).
  std::string_view method_name() const { return method_name_; }
  // True if parsing failed because the request-target exceeds max_target_bytes.
  bool target_too_long() const { return target_too_long_; }
  // True once the request line is parsed (and consumed from the input).
  bool start_line_done() const { return start_line_done_; }

  // The parsed request; call once, after is_done().
  Request take() { return std::move(req_); }
  const Request& request() const { return req_; }

 private:
  using error_code = boost::beast::error_code;
  using verb = boost::beast::http::verb;
  using field = boost::beast::http::field;

  void on_request_impl(verb method, std::string_view method_str, std::string_view target,
                       int version, error_code& ec) override;
  void on_response_impl(int code, std::string_view reason, int version, error_code& ec) override;
  void on_field_impl(field name, std::string_view name_string, std::string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  size_t on_body_impl(std::string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, std::string_view extensions,
                            error_code& ec) override;
  size_t on_chunk_body_impl(std::uint64_t remain, std::string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  size_t max_target_bytes_;
  Request req_;
  int version_ = 11;
  std::string_view method_name_;
  std::string other_method_;
  bool target_too_long_ = false;
  bool start_line_done_ = false;
};

}  // namespace latchkey::http
