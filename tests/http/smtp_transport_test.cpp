// How the courier reaches an SMTP server: STARTTLS with AUTH, implicit TLS (smtps://), a
// private CA, and the refusals — an untrusted certificate, a password that would go in clear,
// a wrong password — where the mail stays in the outbox to be retried and the password shows
// nowhere. The server is tests/support/smtp_sink.py with TLS (a certificate made per test).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "core/ascii.hpp"
#include "smtp_sink.hpp"
#include "test_support.hpp"

namespace latchkey::test {
namespace {

using namespace std::chrono_literals;
using Tls = SmtpSinkOptions::Tls;

constexpr const char* kPassword = "courier pass-7f3a";

const std::string kAnon = test_api_key("anon");

// One server on a fresh SQLite database sending through `sink` with `args` and `env`, and the
// mail of one sign-up: what the sink received, or, once the courier has tried and failed, the
// outbox's record of the attempt.
struct Delivery {
  std::optional<ReceivedMail> received;
  json outbox;      // `latchkey mail list --json`'s entry for the mail
  std::string log;  // the server's stderr
};

// `sink` may be null (a server that is no sink): then only the outbox tells.
Delivery sign_up_and_deliver(const std::string& smtp_url, SmtpSink* sink,
                             std::initializer_list<std::string> args, EnvMap env = {}) {
  Delivery d;
  TempDir data;
  ServeOptions options = ServeOptions().in_data_dir(data.path());
  options.args({"--mailer-autoconfirm", "false", "--smtp-url", smtp_url, "--smtp-from",
                "auth@acme.test", "--mail-retry-delay", "1"});
  options.args(args);
  for (auto& [k, v] : env) options.set_env(k, v);
  std::string error;
  auto server = ServerProcess::start(std::move(options), &error);
  EXPECT_TRUE(server) << error;
  if (!server) return d;
  const std::string email = core::ascii_lower(unique_email("smtp"));
  const Response signed_up =
      HttpClient(server->port())
          .post("/auth/v1/signup", {{"email", email}, {"password", unique_password()}},
                {{"apikey", kAnon}, {"Authorization", "Bearer " + kAnon}});
  EXPECT_EQ(signed_up.status, 200) << signed_up.body;

  const std::vector<std::string> list = {"mail", "list", "--json", "--data-dir",
                                         data.path().string()};
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (sink) {
      d.received = sink->next_to(email, 250ms);
    } else {
      std::this_thread::sleep_for(250ms);
    }
    const RunResult listed =
        run_latchkey(list, {{"LATCHKEY_JWT_SECRET", std::string(kTestJwtSecret)}}, data.path());
    EXPECT_EQ(listed.status.code, 0) << listed.err;
    if (!listed.out.empty()) d.outbox = json::parse(listed.out.substr(0, listed.out.find('\n')));
    // attempts counts claims; a failed one leaves its error.
    if (d.received || !d.outbox.value("last_error", "").empty()) break;
  }
  d.log = server->captured_stderr();
  return d;
}

Delivery sign_up_and_deliver(SmtpSink& sink, std::initializer_list<std::string> args,
                             EnvMap env = {}) {
  return sign_up_and_deliver(sink.url(), &sink, args, std::move(env));
}

std::unique_ptr<SmtpSink> start_sink(SmtpSinkOptions options) {
  std::string error;
  auto sink = SmtpSink::start(&error, std::move(options));
  EXPECT_TRUE(sink) << error;
  return sink;
}

// The mail stayed in the outbox, will be tried again, and the password is in no log or error.
void expect_refused(const Delivery& d) {
  EXPECT_FALSE(d.received) << "delivered although it should not have been";
  EXPECT_EQ(d.outbox.value("state", ""), "pending") << d.outbox.dump();
  EXPECT_GE(d.outbox.value("attempts", 0), 1) << d.outbox.dump();
  EXPECT_FALSE(d.outbox.value("last_error", "").empty()) << d.outbox.dump();
  EXPECT_EQ(d.outbox.dump().find(kPassword), std::string::npos);
  EXPECT_EQ(d.log.find(kPassword), std::string::npos) << "the password reached the log";
}

TEST(SmtpTransportTest, StartTlsWithAuthDelivers) {
  auto sink = start_sink({Tls::starttls, std::string("courier:") + kPassword, false});
  ASSERT_TRUE(sink);
  const Delivery d = sign_up_and_deliver(
      *sink, {"--smtp-user", "courier", "--smtp-ca-file", sink->ca_file().string()},
      {{"LATCHKEY_SMTP_PASSWORD", kPassword}});
  ASSERT_TRUE(d.received) << d.outbox.dump() << d.log;
  EXPECT_TRUE(d.received->tls) << "sent in clear";
  EXPECT_EQ(d.received->auth_user, "courier");
  EXPECT_EQ(d.log.find(kPassword), std::string::npos) << "the password reached the log";
}

TEST(SmtpTransportTest, ImplicitTlsDelivers) {
  auto sink = start_sink({Tls::smtps, "", false});
  ASSERT_TRUE(sink);
  ASSERT_EQ(sink->url().rfind("smtps://", 0), 0u);
  const Delivery d = sign_up_and_deliver(*sink, {"--smtp-ca-file", sink->ca_file().string()});
  ASSERT_TRUE(d.received) << d.outbox.dump() << d.log;
  EXPECT_TRUE(d.received->tls);
  EXPECT_EQ(d.received->auth_user, std::nullopt);
}

TEST(SmtpTransportTest, ACertificateNoTrustedCaSignedIsRefused) {
  auto sink = start_sink({Tls::smtps, "", false});
  ASSERT_TRUE(sink);
  const Delivery d = sign_up_and_deliver(*sink, {});
  expect_refused(d);
}

TEST(SmtpTransportTest, APasswordIsNeverSentInClear) {
  // The server would take AUTH without TLS; the courier must not offer it the password.
  auto sink = start_sink({Tls::none, std::string("courier:") + kPassword, true});
  ASSERT_TRUE(sink);
  const Delivery d = sign_up_and_deliver(*sink, {"--smtp-user", "courier"},
                                         {{"LATCHKEY_SMTP_PASSWORD", kPassword}});
  expect_refused(d);
}

TEST(SmtpTransportTest, AWrongPasswordKeepsTheMailForARetry) {
  auto sink = start_sink({Tls::starttls, "courier:the-right-one", false});
  ASSERT_TRUE(sink);
  const Delivery d = sign_up_and_deliver(
      *sink, {"--smtp-user", "courier", "--smtp-ca-file", sink->ca_file().string()},
      {{"LATCHKEY_SMTP_PASSWORD", kPassword}});
  expect_refused(d);
}

TEST(SmtpTransportTest, AServerThatNeverAnswersTimesOutAndTheMailWaits) {
  // Listens but never accepts: the connection opens and no greeting ever comes.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string url = "smtp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  // Without the 2 s timeout the attempt would outlast the helper's 20 s wait (curl's own is
  // 60 s), and no error would be on record.
  const Delivery d = sign_up_and_deliver(url, nullptr, {"--smtp-timeout", "2"});
  ::close(fd);
  expect_refused(d);
}

}  // namespace
}  // namespace latchkey::test
