#include "http/request_parser.hpp"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstdint>

namespace latchkey::http {
namespace {

namespace bhttp = boost::beast::http;

Method to_method(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get:
      return Method::get;
    case bhttp::verb::head:
      return Method::head;
    case bhttp::verb::post:
      return Method::post;
    case bhttp::verb::put:
      return Method::put;
    case bhttp::verb::patch:
      return Method::patch;
    case bhttp::verb::delete_:
      return Method::del;
    case bhttp::verb::options:
      return Method::options;
    default:
      return Method::other;
  }
}

bool iequals_chunked(std::string_view v) {
  constexpr std::string_view kChunked = "chunked";
  if (v.size() != kChunked.size()) return false;
  for (size_t i = 0; i < v.size(); ++i) {
    const char c = (v[i] >= 'A' && v[i] <= 'Z') ? static_cast<char>(v[i] - 'A' + 'a') : v[i];
    if (c != kChunked[i]) return false;
  }
  return true;
}

// Whether Beast built `value` from obs-folded lines. An unfolded value is a view into the input
// right after the name's colon and optional whitespace; a folded one is either a copy (Beast
// joins the lines in a buffer of its own) or starts after a line break. Only bytes Beast has
// already parsed are read: the colon, then SP/HTAB up to the first other byte, at worst the
// CR that ends the field line. Should a Beast upgrade ever copy every value, every request
// with a header would be refused: loud, not a silent hole.
bool is_folded(std::string_view name, std::string_view value) {
  const char* p = name.data() + name.size() + 1;  // just past the ':'
  while (*p == ' ' || *p == '\t') ++p;
  return p != value.data();
}

// Most requests carry fewer; one allocation up front beats five while the vector doubles.
constexpr size_t kExpectedHeaders = 16;

}  // namespace

void RequestParser::on_request_impl(verb method, std::string_view method_str,
                                    std::string_view target, int version, error_code& ec) {
  if (target.size() > max_target_bytes_) {
    target_too_long_ = true;
    ec = bhttp::error::bad_target;
    return;
  }
  start_line_done_ = true;
  version_ = version;
  req_.method = to_method(method);
  if (method == verb::unknown) {
    other_method_.assign(method_str);
    method_name_ = other_method_;
  } else {
    method_name_ = bhttp::to_string(method);
  }
  const size_t q = target.find('?');
  if (q == std::string_view::npos) {
    req_.path.assign(target);
  } else {
    req_.path.assign(target.substr(0, q));
    req_.query.assign(target.substr(q + 1));
  }
  req_.headers.reserve(kExpectedHeaders);
}

void RequestParser::on_response_impl(int, std::string_view, int, error_code& ec) {
  ec = bhttp::error::bad_version;  // unreachable: this is a request parser
}

void RequestParser::on_field_impl(field name, std::string_view name_string, std::string_view value,
                                  error_code& ec) {
  // Security: Beast joins obs-folded lines (a line starting with SP or HTAB continues the
  // previous field) into one value. A proxy that does not would see other headers than we do
  // - "Transfer-Encoding:\r\n chunked" is chunked here and has no body there - so a folded
  // field is refused (RFC 9112 5.2 lets a server answer 400).
  if (is_folded(name_string, value)) {
    ec = bhttp::error::bad_value;
    return;
  }
  // Security: an HTTP/1.0 message with Transfer-Encoding has faulty framing (RFC 9112 6.1): a
  // 1.0 hop may ignore the header and read the chunks as the next request. 400 and close.
  if (name == field::transfer_encoding && version_ < 11) {
    ec = bhttp::error::bad_transfer_encoding;
    return;
  }
  // Security: Beast accepts any Transfer-Encoding and treats one not ending in "chunked" as
  // no body at all, so the body would be parsed as the next request - a request smuggling
  // vector behind a proxy that reads it differently. Only plain "chunked" is accepted
  // (RFC 9112 6.1: otherwise 400 and close).
  if (name == field::transfer_encoding && !iequals_chunked(value)) {
    ec = bhttp::error::bad_transfer_encoding;
    return;
  }
  req_.headers.push_back(Header{std::string(name_string), std::string(value)});
}

void RequestParser::on_header_impl(error_code&) {}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      error_code&) {
  // Security: a Content-Length is only announced, and a client can hold many connections
  // that announce the limit and send nothing more. Reserving it all would give each of them
  // max_body_bytes of our memory for free; reserve a small first piece and let the string
  // grow (doubling) with the bytes that actually arrive.
  if (content_length) {
    req_.body.reserve(
        static_cast<size_t>(std::min<std::uint64_t>(*content_length, kFirstBodyReserveBytes)));
  }
}

size_t RequestParser::on_body_impl(std::string_view body, error_code&) {
  req_.body.append(body);
  return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t, std::string_view, error_code&) {}

size_t RequestParser::on_chunk_body_impl(std::uint64_t, std::string_view body, error_code&) {
  req_.body.append(body);
  return body.size();
}

void RequestParser::on_finish_impl(error_code&) {}

}  // namespace latchkey::http
