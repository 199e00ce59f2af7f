// Account mails on the wire: headers, the two base64 parts, CRLF line ends, encoded words for
// non-ASCII, and no way for content to add a header.
#include <gtest/gtest.h>

#include <sodium.h>

#include "mail/message.hpp"

namespace latchkey::mail {
namespace {

constexpr core::Micros kWhen = 1'796'247'600'000'000;  // 2026-12-02 21:40:00 UTC

std::string decode(std::string_view b64) {
  std::string bin(b64.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bin.data()), bin.size(), b64.data(),
                        b64.size(), "\r\n", &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
    return "<undecodable>";
  bin.resize(len);
  return bin;
}

// The base64 block after the part header with this content type.
std::string part(const std::string& msg, std::string_view type) {
  const size_t at = msg.find(std::string("Content-Type: ") + std::string(type));
  const size_t body = msg.find("\r\n\r\n", at) + 4;
  const size_t end = msg.find("--", body);
  return decode(msg.substr(body, end - body));
}

TEST(MailMessage, HeadersAndBothPartsWithCrlfLineEnds) {
  const MailContent c{"Confirm your Acme account", "Code 042137\nline two", "<p>042137</p>"};
  const std::string m = format_message("Acme <no-reply@acme.test>", "ada@example.com", c, kWhen,
                                       "0b6c-id");
  EXPECT_EQ(m.rfind("From: Acme <no-reply@acme.test>\r\nTo: <ada@example.com>\r\n", 0), 0u) << m;
  EXPECT_NE(m.find("Subject: Confirm your Acme account\r\n"), std::string::npos);
  EXPECT_NE(m.find("Date: Wed, 02 Dec 2026 21:40:00 +0000\r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("Message-ID: <0b6c-id@latchkey>\r\n"), std::string::npos);
  EXPECT_NE(m.find("multipart/alternative"), std::string::npos);
  EXPECT_EQ(part(m, "text/plain"), "Code 042137\nline two");
  EXPECT_EQ(part(m, "text/html"), "<p>042137</p>");
  for (size_t i = m.find('\n'); i != std::string::npos; i = m.find('\n', i + 1))
    ASSERT_EQ(m[i - 1], '\r') << "bare LF at " << i;
}

TEST(MailMessage, NonAsciiHeadersAreEncodedWordsAndLineBreaksAreDropped) {
  EXPECT_EQ(header_value("plain ascii"), "plain ascii");
  EXPECT_EQ(header_value("Zoë"), "=?UTF-8?B?Wm/Dqw==?=");
  EXPECT_EQ(header_value("a\r\nBcc: x@example.com"), "aBcc: x@example.com");
  const MailContent c{"Hi\r\nBcc: victim@example.com", "t", "h"};
  const std::string m = format_message("Zoë <z@acme.test>", "a@example.com\r\nBcc: v@x.test", c,
                                       kWhen, "id");
  EXPECT_EQ(m.find("\r\nBcc:"), std::string::npos) << m;
  EXPECT_EQ(m.rfind("From: =?UTF-8?B?Wm/Dqw==?= <z@acme.test>\r\n", 0), 0u) << m;
}

TEST(MailMessage, AddressOfASender) {
  EXPECT_EQ(address_of("Acme <no-reply@acme.test>"), "no-reply@acme.test");
  EXPECT_EQ(address_of("  no-reply@acme.test "), "no-reply@acme.test");
}

}  // namespace
}  // namespace latchkey::mail
