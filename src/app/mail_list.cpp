#include "app/mail_list.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

#include "app/serve.hpp"
#include "core/time_format.hpp"
#include "crypto/init.hpp"

namespace latchkey::app {
namespace {

const char* state_name(store::MailState s) {
  switch (s) {
    case store::MailState::pending:
      return "pending";
    case store::MailState::sent:
      return "sent";
    case store::MailState::dead:
      return "dead";
  }
  return "?";
}

nlohmann::json mail_json(const store::MailRecord& m) {
  nlohmann::json j = {{"id", m.id.str()},
                      {"kind", m.kind},
                      {"to", m.to},
                      {"subject", m.subject},
                      {"state", state_name(m.state)},
                      {"attempts", m.attempts},
                      {"created_at", core::format_rfc3339(m.created_at)},
                      {"next_attempt_at", core::format_rfc3339(m.next_attempt_at)},
                      {"sent_at", nullptr},
                      {"last_error", m.last_error},
                      {"text", m.text},
                      {"html", m.html}};
  if (m.sent_at) j["sent_at"] = core::format_rfc3339(*m.sent_at);
  return j;
}

void print_text(const store::MailRecord& m, std::ostream& out) {
  out << core::format_rfc3339(m.created_at) << "  " << state_name(m.state) << "  " << m.kind
      << "  to " << m.to << "  attempts " << m.attempts << "\n  Subject: " << m.subject << "\n";
  if (!m.last_error.empty()) out << "  Last error: " << m.last_error << "\n";
  if (m.text.empty()) {
    out << "  (body dropped: " << (m.state == store::MailState::sent ? "delivered" : "given up")
        << ")\n";
  } else {
    size_t start = 0;
    while (start < m.text.size()) {
      const size_t end = m.text.find('\n', start);
      const size_t stop = end == std::string::npos ? m.text.size() : end;
      out << "  | " << std::string_view(m.text).substr(start, stop - start) << "\n";
      start = stop + 1;
    }
  }
  out << "\n";
}

}  // namespace

int list_mail(const Config& config, const MailListOptions& options, std::ostream& out) {
  if (!crypto::init()) {
    std::cerr << "latchkey: cryptography library failed to initialise\n";
    return 1;
  }
  auto store = open_store(config, /*migrate=*/false);
  if (!store) {
    std::cerr << "latchkey: " << store.error().message << ": " << store.error().detail << "\n";
    return 1;
  }
  auto mails = (*store)->mail().recent_mail(options.limit);
  if (!mails) {
    std::cerr << "latchkey: cannot read the outbox: " << mails.error().detail << "\n";
    return 1;
  }
  for (const auto& m : *mails) {
    if (options.json) {
      out << mail_json(m).dump() << "\n";
    } else {
      print_text(m, out);
    }
  }
  if (!options.json && mails->empty()) out << "The outbox is empty.\n";
  return 0;
}

}  // namespace latchkey::app
