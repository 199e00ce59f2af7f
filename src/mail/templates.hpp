#pragma once
// The subject, text and HTML of each account mail: built in, each part overridable by a file
// in a template directory. Placeholders are {{name}} with the names of TemplateValues; in the
// HTML part every value is HTML-escaped, so an address or product name cannot inject markup.
#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/mail_store.hpp"

namespace latchkey::mail {

struct TemplateValues {
  std::string product;  // the configured product name
  std::string email;    // the recipient
  std::string code;     // the 6-digit code
  std::string link;     // the verification link (on latchkey's external URL)
  std::string site_url; // the app's URL
};

struct MailContent {
  std::string subject;
  std::string text;
  std::string html;
};

class Templates {
 public:
  // The built-in templates, with any of `<dir>/<kind>.subject`, `<kind>.txt` and
  // `<kind>.html` (kind: signup, recovery, email_change, magiclink) in their place. A file
  // naming an unknown placeholder, or one that cannot be read, fails start-up.
  static Result<Templates> load(const std::optional<std::filesystem::path>& dir = std::nullopt);

  MailContent render(store::TokenPurpose purpose, const TemplateValues& values) const;

 private:
  struct Parts {
    std::string subject, text, html;
  };
  std::array<Parts, 4> parts_;
};

// `{{name}}` in `text` replaced by the value of that name (escaped for HTML when `html`).
std::string fill(std::string_view text, const TemplateValues& values, bool html);
// The placeholder names `text` uses that TemplateValues does not have.
std::vector<std::string> unknown_placeholders(std::string_view text);

}  // namespace latchkey::mail
