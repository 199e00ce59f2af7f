#pragma once
// The tests' SMTP server: tests/support/smtp_sink.py (aiosmtpd) on loopback, its mails read
// back as JSON files. It can refuse mail (451) or be stopped and started again on its port,
// to show the courier retrying.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "server_process.hpp"

namespace latchkey::test {

struct ReceivedMail {
  std::string mail_from;
  std::vector<std::string> rcpt_tos;
  std::string subject;
  std::string text;
  std::string html;
  nlohmann::json headers;
  bool tls = false;                      // the SMTP session was encrypted
  std::optional<std::string> auth_user;  // who authenticated (AUTH), if anyone
  // The 6-digit code and the verification link the text carries (empty if none).
  std::string code() const;
  std::string link() const;
  // The link's target path and query (/auth/v1/verify?...), to request from the test server.
  std::string link_target() const;
};

struct SmtpSinkOptions {
  enum class Tls {
    none,
    starttls,  // offers STARTTLS and requires it before MAIL
    smtps,     // TLS from the first byte
  };
  Tls tls = Tls::none;
  std::string auth;            // "user:password": AUTH required before MAIL
  bool auth_in_clear = false;  // offers AUTH without TLS too
};

class SmtpSink {
 public:
  // nullptr (and *error) if python3-aiosmtpd is missing or the server does not come up. With
  // TLS, a self-signed certificate for 127.0.0.1 is made for it (openssl), see ca_file().
  static std::unique_ptr<SmtpSink> start(std::string* error, SmtpSinkOptions options = {});
  ~SmtpSink();

  uint16_t port() const { return port_; }
  std::string url() const {
    return std::string(options_.tls == SmtpSinkOptions::Tls::smtps ? "smtps" : "smtp") +
           "://127.0.0.1:" + std::to_string(port_);
  }
  // The certificate the server presents (its own CA), with TLS.
  std::filesystem::path ca_file() const { return dir_->path() / "cert.pem"; }
  // Where each mail lands as <n>.json (tests/support/smtp_sink.py).
  std::filesystem::path mail_dir() const { return dir_->path() / "mail"; }
  // While on, every mail is answered 451 (try again later).
  void refuse(bool on);
  // Down and up again on the same port and mail directory.
  void stop();
  bool restart(std::string* error);

  // Every mail received so far, in order.
  std::vector<ReceivedMail> all() const;
  // The next mail to `to` that this call has not returned before; nullopt after `timeout`.
  std::optional<ReceivedMail> next_to(const std::string& to,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(15));

 private:
  SmtpSink() = default;
  bool launch(uint16_t port, std::string* error);

  SmtpSinkOptions options_;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<BackgroundProcess> process_;
  uint16_t port_ = 0;
  std::map<std::string, size_t> taken_;
};

}  // namespace latchkey::test
