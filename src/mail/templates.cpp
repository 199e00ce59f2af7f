#include "mail/templates.hpp"

#include <fstream>
#include <sstream>

namespace latchkey::mail {
namespace {

using store::TokenPurpose;

constexpr TokenPurpose kPurposes[] = {TokenPurpose::signup, TokenPurpose::recovery,
                                      TokenPurpose::email_change, TokenPurpose::magic_link};

// Plain, short, and the same shape for every kind: what happened, the code, the link, and
// what to do if it was not you.
std::string html_page(std::string_view heading, std::string_view line) {
  return std::string(
             "<!doctype html>\n<html><body style=\"font-family:sans-serif;max-width:32em\">\n"
             "<h2>") +
         std::string(heading) + "</h2>\n<p>" + std::string(line) +
         "</p>\n<p style=\"font-size:1.6em;letter-spacing:0.2em\"><strong>{{code}}</strong></p>\n"
         "<p><a href=\"{{link}}\">{{link}}</a></p>\n"
         "<p style=\"color:#666\">If you did not ask for this, ignore this mail.</p>\n"
         "</body></html>\n";
}

std::string text_body(std::string_view line) {
  return std::string(line) +
         "\n\nYour code: {{code}}\n\nOr open this link:\n{{link}}\n\n"
         "If you did not ask for this, ignore this mail.\n";
}

struct Builtin {
  const char* subject;
  const char* heading;
  const char* line;
};

constexpr Builtin kBuiltins[] = {
    {"Confirm your {{product}} account", "Confirm your email",
     "Confirm {{email}} to finish signing up to {{product}}."},
    {"Reset your {{product}} password", "Reset your password",
     "Someone asked to reset the password of {{email}} on {{product}}."},
    {"Confirm your new {{product}} email address", "Confirm your new email address",
     "Confirm {{email}} as the new address of your {{product}} account."},
    {"Your {{product}} sign-in link", "Sign in",
     "Use this code or link to sign in to {{product}} as {{email}}."},
};

const std::string* value_of(const TemplateValues& v, std::string_view name) {
  if (name == "product") return &v.product;
  if (name == "email") return &v.email;
  if (name == "code") return &v.code;
  if (name == "link") return &v.link;
  if (name == "site_url") return &v.site_url;
  return nullptr;
}

void append_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

// Calls f(name) for each {{name}}, and copy(text) for what lies between them.
template <class Name, class Copy>
void scan(std::string_view text, Name&& name, Copy&& copy) {
  size_t at = 0;
  while (at < text.size()) {
    const size_t open = text.find("{{", at);
    const size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      copy(text.substr(at));
      return;
    }
    copy(text.substr(at, open - at));
    name(text.substr(open + 2, close - open - 2), text.substr(open, close + 2 - open));
    at = close + 2;
  }
}

Result<std::optional<std::string>> read_part(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::optional<std::string>();
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  if (!in.good() && !in.eof()) {
    return fail(Error::startup(Errc::invalid_input, "Cannot read mail template " + path.string()));
  }
  std::string text = s.str();
  if (auto unknown = unknown_placeholders(text); !unknown.empty()) {
    return fail(Error::startup(Errc::invalid_input, "Mail template " + path.string() +
                                                        " uses an unknown placeholder {{" +
                                                        unknown[0] + "}}"));
  }
  return std::optional<std::string>(std::move(text));
}

}  // namespace

std::string fill(std::string_view text, const TemplateValues& values, bool html) {
  std::string out;
  out.reserve(text.size() + 128);
  scan(
      text,
      [&](std::string_view name, std::string_view whole) {
        const std::string* v = value_of(values, name);
        if (!v) out += whole;
        else if (html) append_escaped(out, *v);
        else out += *v;
      },
      [&](std::string_view plain) { out += plain; });
  return out;
}

std::vector<std::string> unknown_placeholders(std::string_view text) {
  std::vector<std::string> out;
  const TemplateValues none;
  scan(
      text,
      [&](std::string_view name, std::string_view) {
        if (!value_of(none, name)) out.emplace_back(name);
      },
      [](std::string_view) {});
  return out;
}

Result<Templates> Templates::load(const std::optional<std::filesystem::path>& dir) {
  Templates t;
  for (size_t i = 0; i < std::size(kPurposes); ++i) {
    const Builtin& b = kBuiltins[i];
    Parts& p = t.parts_[i];
    p.subject = b.subject;
    p.text = text_body(b.line);
    p.html = html_page(b.heading, b.line);
    if (!dir) continue;
    const std::string kind(store::purpose_name(kPurposes[i]));
    const std::pair<const char*, std::string*> files[] = {
        {".subject", &p.subject}, {".txt", &p.text}, {".html", &p.html}};
    for (const auto& [suffix, part] : files) {
      auto custom = read_part(*dir / (kind + suffix));
      if (!custom) return fail(std::move(custom).error());
      if (*custom) *part = std::move(**custom);
    }
    // A subject is one line: a newline in it would start the mail's body early.
    if (const size_t nl = p.subject.find_first_of("\r\n"); nl != std::string::npos)
      p.subject.resize(nl);
  }
  return t;
}

MailContent Templates::render(TokenPurpose purpose, const TemplateValues& values) const {
  const Parts& p = parts_[static_cast<size_t>(purpose)];
  MailContent m;
  m.subject = fill(p.subject, values, false);
  // The subject holds values (product, email): no line break may survive into a header.
  for (char& c : m.subject)
    if (c == '\r' || c == '\n') c = ' ';
  m.text = fill(p.text, values, false);
  m.html = fill(p.html, values, true);
  return m;
}

}  // namespace latchkey::mail
