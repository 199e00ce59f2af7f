#pragma once
// The account flows that go through a mail: sign-up confirmation, recovery, email change and
// magic-link / one-time-code sign-in (issue 11). Each request queues a mail in the outbox (in
// the same transaction as its token) and never sends inline. The routes that take any address
// (recover, resend, otp) do their lookup and write after answering, so an answer takes the
// same time and says the same thing whether the address is registered or not. Blocking
// (store access): call from the store pool.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "auth/auth_service.hpp"
#include "crypto/one_time_code.hpp"
#include "mail/templates.hpp"
#include "store/attempt_store.hpp"
#include "store/mail_store.hpp"
#include "store/user_store.hpp"

namespace latchkey::auth {

struct AccountMailOptions {
  // false: a sign-up is unconfirmed until its mail is verified, and opens no session.
  bool autoconfirm = true;
  std::string product = "latchkey";
  std::string external_url;  // latchkey's own public URL: links point at its /auth/v1/verify
  std::string site_url;      // the app's URL: where verification lands without a redirect
  // Where verification may send the browser: exact URLs, or prefixes written `...**`.
  std::vector<std::string> redirect_urls;
  int64_t confirm_ttl_s = 24 * 3600;  // sign-up confirmation
  int64_t otp_ttl_s = 3600;           // recovery, magic link, email change
  int64_t min_interval_s = 60;        // between two mails of one kind to one address
  int64_t hourly_cap = 1000;          // mails queued per hour by the whole instance
  int max_code_attempts = 5;          // wrong codes before a token is dead
};

// What a verification gives: a session, and where the browser goes next.
struct Verified {
  AuthResult session;
  store::TokenPurpose purpose = store::TokenPurpose::signup;
  std::string redirect_to;
};

// A sign-up without autoconfirm. For an address already registered the user is a decoy
// (a random id, no identities, as GoTrue answers), so the answer tells nothing.
struct SignUp {
  store::UserRecord user;
  bool existed = false;
};

// Runs a job on a worker after the request has been answered.
using Defer = std::function<void(std::function<void()>)>;

class AccountMail {
 public:
  // `defer` empty: jobs run inline (tests). `mail_queued` is told of each queued mail (the
  // courier's wake-up).
  AccountMail(store::UserStore& users, store::MailStore& outbox, store::AttemptStore& attempts,
              AuthService& auth, const mail::Templates& templates, const crypto::CodeHasher& codes,
              const core::Clock& clock, core::RandomSource& random, AccountMailOptions options,
              std::function<void()> mail_queued = {}, Defer defer = {});

  bool autoconfirm() const { return options_.autoconfirm; }
  // The external URL once the listener is bound (its default names the bound port). Call
  // before serving.
  void set_external_url(std::string url);

  // The redirect verification may use: `requested` if the allow-list has it, else site_url.
  std::string allowed_redirect(std::string_view requested) const;

  // Creates the user unconfirmed and mails a confirmation (an address already registered
  // and unconfirmed gets it again). Without autoconfirm only.
  Result<SignUp> sign_up(std::string_view email, std::string phc_hash, std::string user_metadata,
                         std::string_view redirect_to);
  // resend {type: signup}: a new confirmation if `email` is a user still unconfirmed. The
  // answer is the same for every address.
  Result<void> resend_confirmation(std::string_view email, std::string_view redirect_to);
  // recover: a recovery mail if `email` is a user. The same answer for every address.
  Result<void> recover(std::string_view email, std::string_view redirect_to);
  // otp / magic link: a sign-in mail if `email` is a user; with `create_user`, an address
  // that is none becomes an unconfirmed user (`user_metadata` its data, no usable password)
  // and gets a confirmation. The same answer for every address.
  Result<void> send_sign_in(std::string_view email, bool create_user, std::string user_metadata,
                            std::string_view unusable_password_hash, std::string_view redirect_to);
  // A confirmation to `new_email`; the account keeps its address until it is confirmed.
  // email_exists if another account has it. Returns when the mail was queued.
  Result<core::Micros> request_email_change(const Principal& who, std::string_view new_email,
                                            std::string_view redirect_to);

  // By the 6-digit code sent to `email`. otp_expired for a wrong, used, expired or dead code.
  // The session opens for `client`.
  Result<Verified> verify_code(store::TokenPurpose purpose, std::string_view email,
                               std::string_view code, const store::SessionClient& client);
  // By the token in the mail's link.
  Result<Verified> verify_link(store::TokenPurpose purpose, std::string_view link_token,
                               const store::SessionClient& client);

 private:
  // over_email_send_rate_limit unless a mail of `kind` to `email` may go now.
  Result<void> admit(std::string_view kind, std::string_view email);
  Result<void> queue(const store::UserRecord& user, store::TokenPurpose purpose,
                     std::string_view to, std::string_view redirect_to, int64_t ttl_s);
  Result<Verified> complete(Result<store::OneTimeToken> token, const store::SessionClient& client);
  // Runs `job` through defer_ (inline without one); a failure is logged, without the address.
  void later(const char* what, std::function<Result<void>()> job);

  store::UserStore& users_;
  store::MailStore& outbox_;
  store::AttemptStore& attempts_;
  AuthService& auth_;
  const mail::Templates& templates_;
  const crypto::CodeHasher& codes_;
  const core::Clock& clock_;
  core::RandomSource& random_;
  AccountMailOptions options_;
  std::function<void()> mail_queued_;
  Defer defer_;
};

}  // namespace latchkey::auth
