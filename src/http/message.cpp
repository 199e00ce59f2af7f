#include "http/message.hpp"

#include "core/ascii.hpp"

namespace latchkey::http {

std::string_view Request::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (core::ascii_iequals(h.name, name)) return h.value;
  }
  return {};
}

std::string Request::header_list(std::string_view name) const {
  std::string joined;
  for (const auto& h : headers) {
    if (!core::ascii_iequals(h.name, name)) continue;
    if (!joined.empty()) joined += ", ";
    joined += h.value;
  }
  return joined;
}

}  // namespace latchkey::http
