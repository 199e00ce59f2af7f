#include "smtp_sink.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

namespace latchkey::test {
namespace {

namespace fs = std::filesystem;

// Debian's interpreter, where python3-aiosmtpd is installed (a PATH python may be another).
constexpr const char* kPython = "/usr/bin/python3";

std::string first_match(const std::string& text, const std::regex& re) {
  std::smatch m;
  return std::regex_search(text, m, re) ? m[1].str() : std::string();
}

}  // namespace

std::string ReceivedMail::code() const {
  return first_match(text, std::regex(R"(\b([0-9]{6})\b)"));
}

std::string ReceivedMail::link() const {
  return first_match(text, std::regex(R"((https?://\S+/auth/v1/verify\?\S+))"));
}

std::string ReceivedMail::link_target() const {
  return first_match(link(), std::regex(R"(https?://[^/]+(/.*))"));
}

std::unique_ptr<SmtpSink> SmtpSink::start(std::string* error, SmtpSinkOptions options) {
  std::unique_ptr<SmtpSink> sink(new SmtpSink());
  sink->options_ = std::move(options);
  sink->dir_ = std::make_unique<TempDir>();
  if (sink->options_.tls != SmtpSinkOptions::Tls::none) {
    const std::string dir = sink->dir_->path().string();
    const std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
        " -addext subjectAltName=IP:127.0.0.1 -keyout '" +
        dir + "/key.pem' -out '" + dir + "/cert.pem' 2>/dev/null";
    if (std::system(cmd.c_str()) != 0) {
      *error = "openssl could not make the SMTP sink's certificate";
      return nullptr;
    }
  }
  if (!sink->launch(0, error)) return nullptr;
  return sink;
}

SmtpSink::~SmtpSink() { stop(); }

bool SmtpSink::launch(uint16_t port, std::string* error) {
  const fs::path port_file = dir_->path() / "port";
  fs::remove(port_file);
  std::vector<std::string> args = {LATCHKEY_SMTP_SINK, mail_dir().string(), port_file.string(),
                                   std::to_string(port)};
  if (options_.tls != SmtpSinkOptions::Tls::none) {
    args.push_back(options_.tls == SmtpSinkOptions::Tls::smtps ? "--smtps" : "--starttls");
    args.push_back(ca_file().string());
    args.push_back((dir_->path() / "key.pem").string());
  }
  if (!options_.auth.empty()) args.insert(args.end(), {"--auth", options_.auth});
  if (options_.auth_in_clear) args.push_back("--auth-in-clear");
  process_ = BackgroundProcess::start(kPython, args, error);
  if (!process_) return false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = read_file(port_file);
    if (!text.empty()) {
      port_ = static_cast<uint16_t>(std::stoi(text));
      return true;
    }
    if (!process_->running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  *error = "the SMTP sink did not start: " + process_->captured_stderr();
  return false;
}

void SmtpSink::refuse(bool on) {
  const fs::path flag = mail_dir() / "refuse";
  if (on) {
    std::ofstream(flag) << "451";
  } else {
    fs::remove(flag);
  }
}

void SmtpSink::stop() {
  if (process_) process_->stop();
}

bool SmtpSink::restart(std::string* error) {
  stop();
  // The port was ours a moment ago; a few tries cover a slow release.
  for (int i = 0; i < 50; ++i) {
    if (launch(port_, error)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::vector<ReceivedMail> SmtpSink::all() const {
  std::vector<ReceivedMail> mails;
  for (size_t n = 1;; ++n) {
    const std::string text = read_file(mail_dir() / (std::to_string(n) + ".json"));
    if (text.empty()) break;
    const auto j = nlohmann::json::parse(text);
    ReceivedMail m;
    m.mail_from = j.value("mail_from", "");
    m.rcpt_tos = j.value("rcpt_tos", std::vector<std::string>{});
    m.subject = j.value("subject", "");
    m.text = j.value("text", "");
    m.html = j.value("html", "");
    m.headers = j.value("headers", nlohmann::json::object());
    m.tls = j.value("tls", false);
    if (j.contains("auth_user") && j["auth_user"].is_string()) m.auth_user = j["auth_user"];
    mails.push_back(std::move(m));
  }
  return mails;
}

std::optional<ReceivedMail> SmtpSink::next_to(const std::string& to,
                                              std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    size_t seen = 0;
    for (auto& m : all()) {
      if (m.rcpt_tos.size() != 1 || m.rcpt_tos[0] != to) continue;
      if (seen++ == taken_[to]) {
        ++taken_[to];
        return m;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace latchkey::test
