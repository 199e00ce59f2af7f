// The account mail flows end to end: the real server sends through a real SMTP server on
// loopback (tests/support/smtp_sink.py), and every flow goes on from the mail it received:
// sign-up confirmation, recovery, magic link, email change, the redirect allow-list, the
// per-address interval and the code limit; the courier retrying while SMTP refuses or is down,
// a crash between commit and send, and (PostgreSQL) two nodes sending each mail once.
#include <csignal>
#include <regex>
#include <set>
#include <thread>

#include "backends.hpp"
#include "core/ascii.hpp"
#include "pg_support.hpp"
#include "smtp_sink.hpp"
#include "test_support.hpp"

namespace latchkey::test {
namespace {

LATCHKEY_SUITE_BACKENDS(MailFlowTest, both);
LATCHKEY_SUITE_BACKENDS(MailCrashTest, both);
LATCHKEY_SUITE_BACKENDS(MailMultiNodeTest, postgres);

const std::string kAnon = test_api_key("anon");
const std::string kService = test_api_key("service_role");

Headers with_key(std::optional<std::string> bearer_token = {}) {
  return {{"apikey", kAnon}, {"Authorization", "Bearer " + bearer_token.value_or(kAnon)}};
}

// The fragment parameter `key` of a Location (…#a=1&b=2).
std::string fragment_value(const std::string& location, const std::string& key) {
  const size_t hash = location.find('#');
  if (hash == std::string::npos) return "";
  std::smatch m;
  const std::string fragment = "&" + location.substr(hash + 1);
  if (!std::regex_search(fragment, m, std::regex("&" + key + "=([^&]*)"))) return "";
  return m[1].str();
}

// The options every mail suite's server runs with: confirmation on, the sink as SMTP server,
// a fast retry, and an allow-list.
ServeOptions mail_options(const SmtpSink& sink) {
  return ServeOptions().args(
      {"--auth-rate-limit", "100000", "--mailer-autoconfirm", "false", "--smtp-url", sink.url(),
       "--smtp-from", "Acme <auth@acme.test>", "--site-url", "http://site.test", "--redirect-urls",
       "http://app.test/**", "--mail-retry-delay", "1", "--product-name", "Acme"});
}

class MailFlowTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    sink_ = SmtpSink::start(&sink_error_);
    if (sink_) start_shared(mail_options(*sink_));
  }
  static void TearDownTestSuite() {
    ApiTest::TearDownTestSuite();
    sink_.reset();
  }
  void SetUp() override {
    ASSERT_TRUE(sink_) << sink_error_;
    ApiTest::SetUp();
  }

  static SmtpSink& sink() { return *sink_; }

  Response post(const std::string& path, const json& body, std::optional<std::string> token = {}) {
    return client().post(path, body, with_key(std::move(token)));
  }
  Response sign_in(const std::string& email, const std::string& password) {
    return post("/auth/v1/token?grant_type=password", {{"email", email}, {"password", password}});
  }
  ReceivedMail mail_to(const std::string& email) {
    auto m = sink().next_to(email);
    if (!m) {
      ADD_FAILURE() << "no mail to " << email << "; server log:\n" << server().captured_stderr();
      return {};
    }
    return *m;
  }
  // A confirmed user, through the sign-up mail's code: the session's JSON.
  json confirmed_user(const std::string& email, const std::string& password) {
    EXPECT_EQ(post("/auth/v1/signup", {{"email", email}, {"password", password}}).status, 200);
    const ReceivedMail m = mail_to(email);
    const Response r =
        post("/auth/v1/verify", {{"type", "signup"}, {"email", email}, {"token", m.code()}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }

 private:
  static std::unique_ptr<SmtpSink> sink_;
  static std::string sink_error_;
};

std::unique_ptr<SmtpSink> MailFlowTest::sink_;
std::string MailFlowTest::sink_error_;

TEST_F(MailFlowTest, SignUpWaitsForTheMailedCodeBeforePasswordSignIn) {
  EXPECT_EQ(client().get("/auth/v1/settings", with_key()).json()["mailer_autoconfirm"], false);
  const std::string email = unique_email("confirm");
  const std::string password = unique_password();
  const Response signed_up =
      post("/auth/v1/signup", {{"email", email}, {"password", password}, {"data", {{"n", 1}}}});
  ASSERT_EQ(signed_up.status, 200) << signed_up.body;
  EXPECT_FALSE(signed_up.json().contains("access_token")) << "no session before confirming";
  EXPECT_TRUE(is_uuid(signed_up.json().value("id", ""))) << signed_up.body;
  EXPECT_FALSE(signed_up.json().contains("email_confirmed_at"));
  const Response early = sign_in(email, password);
  EXPECT_EQ(early.status, 400);
  EXPECT_EQ(early.json()["code"], "email_not_confirmed") << early.body;

  const ReceivedMail m = mail_to(core::ascii_lower(email));
  EXPECT_EQ(m.mail_from, "auth@acme.test");
  EXPECT_EQ(m.subject, "Confirm your Acme account");
  ASSERT_EQ(m.code().size(), 6u) << m.text;
  EXPECT_NE(m.html.find(m.code()), std::string::npos) << "the HTML part carries the code too";
  EXPECT_NE(m.link().find("/auth/v1/verify?token="), std::string::npos) << m.text;
  EXPECT_EQ(m.text.find(password), std::string::npos);

  const Response verified =
      post("/auth/v1/verify", {{"type", "signup"}, {"email", email}, {"token", m.code()}});
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_FALSE(verified.json().value("access_token", "").empty());
  EXPECT_TRUE(verified.json()["user"].contains("email_confirmed_at"));
  EXPECT_EQ(verified.json()["user"]["user_metadata"], json({{"n", 1}}));
  const json amr = jwt_part(verified.json()["access_token"].get<std::string>(), 1)["amr"];
  EXPECT_EQ(amr[0]["method"], "otp") << amr;

  const Response again =
      post("/auth/v1/verify", {{"type", "signup"}, {"email", email}, {"token", m.code()}});
  EXPECT_EQ(again.status, 403);
  EXPECT_EQ(again.json()["code"], "otp_expired") << "single use: " << again.body;
  EXPECT_EQ(sign_in(email, password).status, 200);
  // The tutorial route confirms nothing by itself either.
  const Response tutorial = client().post(
      "/auth/register", {{"email", unique_email("tut")}, {"password", unique_password()}});
  EXPECT_EQ(tutorial.status, 202) << tutorial.body;
  EXPECT_FALSE(tutorial.json().contains("access_token"));
}

TEST_F(MailFlowTest, SigningUpATakenAddressLooksLikeANewSignUp) {
  const std::string email = unique_email("taken");
  const json session = confirmed_user(email, unique_password());
  const Response twice =
      post("/auth/v1/signup", {{"email", email}, {"password", unique_password()}});
  ASSERT_EQ(twice.status, 200) << twice.body;
  EXPECT_NE(twice.json()["id"], session["user"]["id"]) << "the real id is not given away";
  EXPECT_EQ(twice.json()["identities"], json::array()) << "GoTrue's sign of a taken address";
  // A confirmed user gets no confirmation: the next mail to the address is this recovery.
  ASSERT_EQ(post("/auth/v1/recover", {{"email", email}}).status, 200);
  EXPECT_EQ(mail_to(email).subject, "Reset your Acme password");
}

TEST_F(MailFlowTest, RecoveryLinkRedirectsWithASessionAndTheNewPasswordEndsOtherSessions) {
  const std::string email = unique_email("recover");
  const std::string password = unique_password();
  confirmed_user(email, password);
  const json other = sign_in(email, password).json();

  const Response known = client().post("/auth/v1/recover?redirect_to=http://app.test/reset",
                                       {{"email", email}}, with_key());
  const Response unknown = client().post("/auth/v1/recover?redirect_to=http://app.test/reset",
                                         {{"email", unique_email("ghost")}}, with_key());
  ASSERT_EQ(known.status, 200) << known.body;
  EXPECT_EQ(unknown.status, 200);
  EXPECT_EQ(known.body, unknown.body) << "the same answer for an address nobody has";
  EXPECT_EQ(known.json(), json::object());

  const ReceivedMail m = mail_to(email);
  EXPECT_EQ(m.subject, "Reset your Acme password");
  const Response opened = client().get(m.link_target());  // a mail client: no API key
  ASSERT_EQ(opened.status, 303) << opened.body;
  const std::string location = opened.header("Location").value_or("");
  EXPECT_EQ(location.rfind("http://app.test/reset#", 0), 0u) << location;
  EXPECT_EQ(fragment_value(location, "type"), "recovery");
  EXPECT_EQ(fragment_value(location, "token_type"), "bearer");
  EXPECT_FALSE(fragment_value(location, "refresh_token").empty());
  const std::string access = fragment_value(location, "access_token");
  EXPECT_EQ(jwt_part(access, 1)["amr"][0]["method"], "recovery");

  const std::string next = unique_password();
  const Response changed = client().put("/auth/v1/user", {{"password", next}}, with_key(access));
  ASSERT_EQ(changed.status, 200) << changed.body;
  const Response stale =
      post("/auth/v1/token?grant_type=refresh_token", {{"refresh_token", other["refresh_token"]}});
  EXPECT_EQ(stale.status, 400) << "every other session ended: " << stale.body;
  EXPECT_EQ(
      client().get("/auth/v1/user", with_key(other["access_token"].get<std::string>())).status,
      403);
  EXPECT_EQ(sign_in(email, password).status, 400);
  EXPECT_EQ(sign_in(email, next).status, 200);

  const Response reused = client().get(m.link_target());
  ASSERT_EQ(reused.status, 303);
  const std::string error_location = reused.header("Location").value_or("");
  EXPECT_EQ(error_location.rfind("http://app.test/reset#", 0), 0u) << error_location;
  EXPECT_EQ(fragment_value(error_location, "error_code"), "otp_expired") << error_location;
  EXPECT_TRUE(fragment_value(error_location, "access_token").empty());
}

TEST_F(MailFlowTest, RedirectsOffTheAllowListGoToTheSiteUrl) {
  const std::string email = unique_email("redirect");
  confirmed_user(email, unique_password());
  ASSERT_EQ(client()
                .post("/auth/v1/recover?redirect_to=https://evil.example/steal", {{"email", email}},
                      with_key())
                .status,
            200);
  const ReceivedMail m = mail_to(email);
  EXPECT_EQ(m.link().find("evil.example"), std::string::npos) << m.link();
  const Response opened = client().get(m.link_target());
  ASSERT_EQ(opened.status, 303);
  EXPECT_EQ(opened.header("Location").value_or("").rfind("http://site.test#access_token=", 0), 0u)
      << opened.header("Location").value_or("");
  // A link that never was, with a hostile redirect: the error goes to the site too.
  const Response forged = client().get(
      "/auth/v1/verify?token=forged&type=recovery&redirect_to=https%3A%2F%2Fevil.example%2F");
  ASSERT_EQ(forged.status, 303);
  const std::string location = forged.header("Location").value_or("");
  EXPECT_EQ(location.rfind("http://site.test#error=access_denied", 0), 0u) << location;
  // A prefix pattern does not match a look-alike host.
  const Response lookalike = client().get(
      "/auth/v1/"
      "verify?token=forged&type=recovery&redirect_to=http%3A%2F%2Fapp.test.evil.example%2F");
  EXPECT_EQ(lookalike.header("Location").value_or("").rfind("http://site.test#", 0), 0u);
}

TEST_F(MailFlowTest, MagicLinkSignsInAndCreatesTheUserWhenAsked) {
  const std::string email = unique_email("magic");
  ASSERT_EQ(
      post("/auth/v1/otp", {{"email", email}, {"create_user", true}, {"data", {{"plan", "pro"}}}})
          .status,
      200);
  const ReceivedMail first = mail_to(email);
  const Response in =
      post("/auth/v1/verify", {{"type", "email"}, {"email", email}, {"token", first.code()}});
  ASSERT_EQ(in.status, 200) << in.body;
  EXPECT_EQ(in.json()["user"]["user_metadata"], json({{"plan", "pro"}}));
  EXPECT_TRUE(in.json()["user"].contains("email_confirmed_at")) << "the mail proved the address";

  // Now a confirmed user: a magic link, followed from the mail.
  ASSERT_EQ(post("/auth/v1/magiclink", {{"email", email}}).status, 429)
      << "one sign-in mail per address per interval";
  const std::string second_email = unique_email("magic2");
  confirmed_user(second_email, unique_password());
  ASSERT_EQ(post("/auth/v1/otp", {{"email", second_email}, {"create_user", false}}).status, 200);
  const ReceivedMail link = mail_to(second_email);
  EXPECT_EQ(link.subject, "Your Acme sign-in link");
  const Response opened = client().get(link.link_target());
  ASSERT_EQ(opened.status, 303);
  EXPECT_EQ(fragment_value(opened.header("Location").value_or(""), "type"), "magiclink");

  // create_user false: an unknown address gets the same answer and no account.
  const std::string ghost = unique_email("magicghost");
  EXPECT_EQ(post("/auth/v1/otp", {{"email", ghost}, {"create_user", false}}).json(),
            json::object());
  const Response listed =
      client().get("/auth/v1/admin/users?per_page=1000",
                   {{"apikey", kService}, {"Authorization", "Bearer " + kService}});
  EXPECT_EQ(listed.body.find(core::ascii_lower(ghost)), std::string::npos);
}

TEST_F(MailFlowTest, EmailChangeKeepsTheOldAddressUntilTheNewOneIsConfirmed) {
  const std::string old_email = unique_email("mover");
  const std::string password = unique_password();
  const json session = confirmed_user(old_email, password);
  const std::string token = session["access_token"];
  const std::string new_email = core::ascii_lower(unique_email("moved"));

  const Response asked = client().put("/auth/v1/user", {{"email", new_email}}, with_key(token));
  ASSERT_EQ(asked.status, 200) << asked.body;
  EXPECT_EQ(asked.json()["email"], core::ascii_lower(old_email));
  EXPECT_EQ(asked.json()["new_email"], new_email);
  EXPECT_EQ(sign_in(old_email, password).status, 200) << "the old address works meanwhile";

  const ReceivedMail m = mail_to(new_email);
  EXPECT_EQ(m.subject, "Confirm your new Acme email address");
  const Response done = post("/auth/v1/verify",
                             {{"type", "email_change"}, {"email", new_email}, {"token", m.code()}});
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json()["user"]["email"], new_email);
  EXPECT_EQ(sign_in(new_email, password).status, 200);
  EXPECT_EQ(sign_in(old_email, password).status, 400);

  const std::string other = unique_email("occupied");
  confirmed_user(other, unique_password());
  const Response taken = client().put("/auth/v1/user", {{"email", other}}, with_key(token));
  EXPECT_EQ(taken.status, 422);
  EXPECT_EQ(taken.json()["code"], "email_exists") << taken.body;
}

TEST_F(MailFlowTest, OneMailPerKindAndAddressPerIntervalForAnyAddress) {
  for (const std::string& email : {unique_email("spaced"), unique_email("spacedghost")}) {
    if (email.find("ghost") == std::string::npos) confirmed_user(email, unique_password());
    ASSERT_EQ(post("/auth/v1/recover", {{"email", email}}).status, 200);
    const Response second = post("/auth/v1/recover", {{"email", email}});
    EXPECT_EQ(second.status, 429) << second.body;
    EXPECT_EQ(second.json()["code"], "over_email_send_rate_limit");
    EXPECT_TRUE(second.header("Retry-After").has_value());
  }
}

TEST_F(MailFlowTest, WrongCodesCountAndThenTheRightOneIsDeadToo) {
  const std::string email = unique_email("guess");
  ASSERT_EQ(post("/auth/v1/signup", {{"email", email}, {"password", unique_password()}}).status,
            200);
  const std::string code = mail_to(email).code();
  const std::string wrong = code == "000000" ? "000001" : "000000";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(
        post("/auth/v1/verify", {{"type", "signup"}, {"email", email}, {"token", wrong}}).status,
        403);
  }
  const Response late =
      post("/auth/v1/verify", {{"type", "signup"}, {"email", email}, {"token", code}});
  EXPECT_EQ(late.status, 403) << "five wrong codes spent it: " << late.body;
}

TEST_F(MailFlowTest, TheCourierRetriesWhileSmtpRefusesOrIsDown) {
  const std::string refused = unique_email("refused");
  sink().refuse(true);
  ASSERT_EQ(post("/auth/v1/signup", {{"email", refused}, {"password", unique_password()}}).status,
            200);
  // Bounded: the first try is immediate and refused; the retry comes a second later.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_FALSE(sink().next_to(refused, std::chrono::milliseconds(0))) << "refused so far";
  sink().refuse(false);
  EXPECT_TRUE(sink().next_to(refused)) << "delivered once SMTP accepts";

  const std::string down = unique_email("down");
  sink().stop();
  ASSERT_EQ(post("/auth/v1/signup", {{"email", down}, {"password", unique_password()}}).status,
            200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  std::string error;
  ASSERT_TRUE(sink().restart(&error)) << error;
  EXPECT_TRUE(sink().next_to(down)) << "delivered once SMTP is back";
}

// The same flows on the tutorial surface (/auth/*): its shapes, its error body.
TEST_F(MailFlowTest, TutorialRoutesConfirmRecoverAndChangeTheAccount) {
  const std::string email = core::ascii_lower(unique_email("tutorial"));
  const std::string password = unique_password();
  const Response registered =
      client().post("/auth/register", {{"email", email}, {"password", password}});
  ASSERT_EQ(registered.status, 202) << registered.body;
  EXPECT_TRUE(IsError(client().post("/auth/login", {{"email", email}, {"password", password}}), 401,
                      "Email not confirmed"));
  const Response confirmed = client().post(
      "/auth/verify", {{"type", "signup"}, {"email", email}, {"code", mail_to(email).code()}});
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  const std::string first = confirmed.json()["access_token"];
  EXPECT_EQ(client().get("/auth/me", bearer(first)).json()["email"], email);

  // Recovery: the same answer for anyone, then the code and the new password in one call.
  const Response known = client().post("/auth/recover", {{"email", email}});
  const Response unknown = client().post("/auth/recover", {{"email", unique_email("tutghost")}});
  ASSERT_EQ(known.status, 202);
  EXPECT_EQ(known.body, unknown.body);
  const std::string reset_password = unique_password();
  const Response reset = client().post(
      "/auth/reset-password",
      {{"email", email}, {"code", mail_to(email).code()}, {"new_password", reset_password}});
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_TRUE(IsUnauthorized(client().get("/auth/me", bearer(first)))) << "other sessions end";
  const std::string second = reset.json()["access_token"];
  EXPECT_EQ(client().get("/auth/me", bearer(second)).status, 200);

  // Password change needs the current password; other sessions end, this one stays.
  const std::string other =
      client()
          .post("/auth/login", {{"email", email}, {"password", reset_password}})
          .json()["access_token"];
  EXPECT_EQ(client()
                .put("/auth/password",
                     {{"current_password", "wrong-password"}, {"new_password", unique_password()}},
                     bearer(second))
                .status,
            401);
  const std::string changed_password = unique_password();
  const Response changed = client().put(
      "/auth/password", {{"current_password", reset_password}, {"new_password", changed_password}},
      bearer(second));
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(client().get("/auth/me", bearer(second)).status, 200);
  EXPECT_TRUE(IsUnauthorized(client().get("/auth/me", bearer(other))));

  // Email change through the new address's code; magic link by the link's token.
  const std::string moved = core::ascii_lower(unique_email("tutmoved"));
  ASSERT_EQ(client().put("/auth/email", {{"email", moved}}, bearer(second)).status, 202);
  EXPECT_EQ(client().get("/auth/me", bearer(second)).json()["email"], email) << "until confirmed";
  ASSERT_EQ(client()
                .post("/auth/verify",
                      {{"type", "email_change"}, {"email", moved}, {"code", mail_to(moved).code()}})
                .status,
            200);
  ASSERT_EQ(client().post("/auth/magic-link", {{"email", moved}}).status, 202);
  std::smatch token;
  const std::string link = mail_to(moved).link();
  ASSERT_TRUE(std::regex_search(link, token, std::regex("token=([^&]+)"))) << link;
  const Response in =
      client().post("/auth/verify", {{"type", "magiclink"}, {"token", token[1].str()}});
  ASSERT_EQ(in.status, 200) << in.body;
  EXPECT_EQ(in.json()["user"]["email"], moved);

  // Sign out everywhere.
  const std::string third = in.json()["access_token"];
  ASSERT_EQ(client().post("/auth/logout-all", json::object(), bearer(third)).status, 200);
  EXPECT_TRUE(IsUnauthorized(client().get("/auth/me", bearer(third))));
  EXPECT_TRUE(IsUnauthorized(client().get("/auth/me", bearer(second))));
  EXPECT_TRUE(
      IsValidationError(client().post("/auth/verify", {{"type", "bogus"}, {"token", "x"}})));
}

// The server killed between the commit of a mail and its delivery: the next start sends it.
class MailCrashTest : public ::testing::Test {};

TEST_F(MailCrashTest, ACrashBetweenCommitAndSendLosesNoMail) {
  std::string error;
  auto sink = SmtpSink::start(&error);
  ASSERT_TRUE(sink) << error;
  TempDir data;
  ServeOptions first = ServeOptions()
                           .in_data_dir(data.path())
                           .args({"--mailer-autoconfirm", "false", "--auth-rate-limit", "100000"});
  std::vector<std::string> database_args = {"--data-dir", data.path().string()};
  ServeOptions second = mail_options(*sink).in_data_dir(data.path());
  if (postgres_requested()) {
    const PgDatabase db = new_database(testing::PgCluster::shared());
    first = on_postgres(std::move(first), db);
    second = on_postgres(std::move(second), db);
    database_args = {"--database-url", db.app_url};
  }
  // No SMTP on the first server: the mail is committed and can only wait.
  auto server = ServerProcess::start(first, &error);
  ASSERT_TRUE(server) << error;
  const std::string email = core::ascii_lower(unique_email("crash"));
  const Response signed_up =
      HttpClient(server->port())
          .post("/auth/v1/signup", {{"email", email}, {"password", unique_password()}}, with_key());
  ASSERT_EQ(signed_up.status, 200) << signed_up.body;

  // latchkey mail list: the dev mailbox shows it, with its code, while it waits.
  std::vector<std::string> list = {"mail", "list", "--json"};
  list.insert(list.end(), database_args.begin(), database_args.end());
  const RunResult listed =
      run_latchkey(list, {{"LATCHKEY_JWT_SECRET", std::string(kTestJwtSecret)}}, data.path());
  ASSERT_EQ(listed.status.code, 0) << listed.err;
  const json pending = json::parse(listed.out.substr(0, listed.out.find('\n')));
  EXPECT_EQ(pending["to"], email);
  EXPECT_EQ(pending["state"], "pending");
  EXPECT_EQ(pending["kind"], "signup");
  std::smatch code;
  const std::string text = pending["text"];
  EXPECT_TRUE(std::regex_search(text, code, std::regex("[0-9]{6}"))) << text;
  EXPECT_EQ(server->captured_stderr().find(code.str()), std::string::npos) << "never in the log";

  kill(server->pid(), SIGKILL);
  server->stop();
  auto restarted = ServerProcess::start(second, &error);
  ASSERT_TRUE(restarted) << error;
  const auto m = sink->next_to(email);
  ASSERT_TRUE(m) << restarted->captured_stderr();
  EXPECT_NE(m->text.find(code.str()), std::string::npos) << "the mail that was committed";
  const RunResult after =
      run_latchkey(list, {{"LATCHKEY_JWT_SECRET", std::string(kTestJwtSecret)}}, data.path());
  const json sent = json::parse(after.out.substr(0, after.out.find('\n')));
  EXPECT_EQ(sent["state"], "sent");
  EXPECT_EQ(sent["text"], "") << "a sent mail's code and link are not kept";
}

// Two nodes on one PostgreSQL database, one SMTP server: every mail arrives exactly once.
class MailMultiNodeTest : public ::testing::Test {};

TEST_F(MailMultiNodeTest, TwoNodesSendEachMailOnce) {
  std::string error;
  auto sink = SmtpSink::start(&error);
  ASSERT_TRUE(sink) << error;
  const PgDatabase db = new_database(testing::PgCluster::shared());
  std::vector<std::unique_ptr<ServerProcess>> nodes;
  for (int i = 0; i < 2; ++i) {
    nodes.push_back(ServerProcess::start(on_postgres(mail_options(*sink), db), &error));
    ASSERT_TRUE(nodes.back()) << error;
  }
  constexpr int kMails = 20;
  std::vector<std::string> emails;
  const Headers service = {{"apikey", kService}, {"Authorization", "Bearer " + kService}};
  for (int i = 0; i < kMails; ++i) {
    emails.push_back(core::ascii_lower(unique_email("twonodes")));
    ASSERT_EQ(HttpClient(nodes[0]->port())
                  .post("/auth/v1/admin/users",
                        {{"email", emails.back()},
                         {"password", unique_password()},
                         {"email_confirm", true}},
                        service)
                  .status,
              200);
  }
  // Each node queues half and wakes its own courier; both poll the whole outbox.
  for (int i = 0; i < kMails; ++i) {
    ASSERT_EQ(HttpClient(nodes[i % 2]->port())
                  .post("/auth/v1/recover", {{"email", emails[i]}}, with_key())
                  .status,
              200);
  }
  for (const std::string& email : emails) ASSERT_TRUE(sink->next_to(email)) << email;
  // Both couriers poll every second: a duplicate would show within a few rounds.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const auto all = sink->all();
  std::multiset<std::string> received;
  for (const auto& m : all) received.insert(m.rcpt_tos.at(0));
  EXPECT_EQ(all.size(), size_t{kMails});
  for (const std::string& email : emails) EXPECT_EQ(received.count(email), 1u) << email;
}

}  // namespace
}  // namespace latchkey::test
