// Account mail templates: the built-in ones carry the code and the link, values are escaped in
// HTML and kept out of header lines, and a template directory replaces parts or fails start-up.
#include <gtest/gtest.h>

#include <fstream>

#include "mail/templates.hpp"
#include "support/temp_dir.hpp"

namespace latchkey::mail {
namespace {

using store::TokenPurpose;

TemplateValues values() {
  TemplateValues v;
  v.product = "Acme";
  v.email = "ada@example.com";
  v.code = "042137";
  v.link = "https://auth.example.com/auth/v1/verify?token=abc&type=signup";
  v.site_url = "https://app.example.com";
  return v;
}

TEST(MailTemplates, BuiltInMailsCarryTheCodeAndTheLink) {
  auto t = Templates::load();
  ASSERT_TRUE(t.has_value());
  for (auto purpose : {TokenPurpose::signup, TokenPurpose::recovery, TokenPurpose::email_change,
                       TokenPurpose::magic_link}) {
    const MailContent m = t->render(purpose, values());
    EXPECT_NE(m.subject.find("Acme"), std::string::npos) << m.subject;
    EXPECT_NE(m.text.find("042137"), std::string::npos);
    EXPECT_NE(m.text.find(values().link), std::string::npos) << "text keeps the link as is";
    EXPECT_NE(m.html.find("042137"), std::string::npos);
    EXPECT_NE(m.html.find("token=abc&amp;type=signup"), std::string::npos) << "escaped in HTML";
    EXPECT_EQ(m.text.find("{{"), std::string::npos);
  }
  EXPECT_NE(t->render(TokenPurpose::recovery, values()).subject.find("password"),
            std::string::npos);
}

TEST(MailTemplates, ValuesCannotInjectMarkupOrHeaders) {
  auto t = Templates::load();
  TemplateValues v = values();
  v.product = "Evil\r\nBcc: victim@example.com";
  v.email = "<script>alert(1)</script>@example.com";
  const MailContent m = t->render(TokenPurpose::signup, v);
  EXPECT_EQ(m.subject.find('\n'), std::string::npos);
  EXPECT_EQ(m.subject.find('\r'), std::string::npos);
  EXPECT_EQ(m.html.find("<script>"), std::string::npos);
  EXPECT_NE(m.html.find("&lt;script&gt;"), std::string::npos);
}

TEST(MailTemplates, ADirectoryReplacesPartsAndUnknownPlaceholdersFailStartUp) {
  latchkey::testing::TempDir dir;
  std::ofstream(dir.path() / "recovery.subject") << "Password help for {{email}}\nignored line";
  std::ofstream(dir.path() / "recovery.txt") << "Code {{code}} at {{site_url}}";
  auto t = Templates::load(dir.path());
  ASSERT_TRUE(t.has_value()) << t.error().message;
  const MailContent m = t->render(TokenPurpose::recovery, values());
  EXPECT_EQ(m.subject, "Password help for ada@example.com");
  EXPECT_EQ(m.text, "Code 042137 at https://app.example.com");
  EXPECT_NE(m.html.find("042137"), std::string::npos) << "the HTML part stays built in";
  EXPECT_EQ(t->render(TokenPurpose::signup, values()).subject, "Confirm your Acme account");

  std::ofstream(dir.path() / "signup.html") << "<p>{{code}} {{password}}</p>";
  auto bad = Templates::load(dir.path());
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("{{password}}"), std::string::npos) << bad.error().message;
}

TEST(MailTemplates, FillLeavesUnknownNamesAndUnclosedBraces) {
  EXPECT_EQ(fill("a {{code}} {{nope}} {{code", values(), false), "a 042137 {{nope}} {{code");
  EXPECT_EQ(unknown_placeholders("{{code}}{{x}}{{link}}{{y}}"),
            (std::vector<std::string>{"x", "y"}));
}

}  // namespace
}  // namespace latchkey::mail
