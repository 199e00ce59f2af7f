#pragma once
// Delivers one formatted mail. The courier owns retries; a sender makes one try.
#include <chrono>
#include <string>
#include <string_view>

namespace latchkey::mail {

struct SendResult {
  bool ok = false;
  // The server refused the recipient for good (550-554): retrying cannot help.
  bool permanent = false;
  // Why it failed, for the outbox and the log: the SMTP reply code and libcurl's wording;
  // never a credential or the mail's content.
  std::string reason;
};

class MailSender {
 public:
  virtual ~MailSender() = default;
  // `message` is format_message's text. Blocking; called from the courier's thread.
  virtual SendResult send(std::string_view to, std::string_view message) = 0;
};

struct SmtpOptions {
  // smtp://host[:port] (STARTTLS whenever the server offers it) or smtps://host[:port]
  // (TLS from the first byte). user:password@ in the URL, or `username`/`password`, for AUTH.
  std::string url;
  std::string from;  // "Name <address>" or an address
  std::string username;
  std::string password;
  bool require_starttls = false;  // smtp://: refuse to send in clear if STARTTLS is missing
  std::string ca_file;            // PEM CAs for the server's certificate; empty: the system's
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds timeout{60};  // the whole exchange
};

// SMTP through libcurl.
class SmtpSender final : public MailSender {
 public:
  explicit SmtpSender(SmtpOptions options);
  SendResult send(std::string_view to, std::string_view message) override;

 private:
  SmtpOptions options_;
};

}  // namespace latchkey::mail
