#pragma once
// An account mail as it goes over SMTP: RFC 5322 headers and a multipart/alternative body
// (text and HTML, UTF-8, base64), every line ended by CRLF.
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "mail/templates.hpp"

namespace latchkey::mail {

// `from` is the configured sender ("Acme <no-reply@acme.test>" or a bare address), `to` the
// recipient's address; `message_id` is unique per mail (its outbox id). Header values never
// carry a CR or LF, whatever the content holds.
std::string format_message(std::string_view from, std::string_view to, const MailContent& content,
                           core::Micros now, std::string_view message_id);

// A header value: as is when printable ASCII, else an RFC 2047 encoded word (UTF-8, base64).
// CR and LF are dropped, so no value can start a header of its own.
std::string header_value(std::string_view value);

// The address part of a sender: "Name <a@b>" gives "a@b"; a bare address is returned trimmed.
std::string address_of(std::string_view sender);

}  // namespace latchkey::mail
