#include "auth/account_mail.hpp"

#include "core/ascii.hpp"
#include "core/log.hpp"

namespace latchkey::auth {
namespace {

using store::TokenPurpose;

constexpr core::Micros kSecond = 1'000'000;

Error otp_expired(std::string detail) {
  return Error::make(ErrorCode::otp_expired, "Token has expired or is invalid", std::move(detail));
}

}  // namespace

AccountMail::AccountMail(store::UserStore& users, store::MailStore& outbox,
                         store::AttemptStore& attempts, AuthService& auth,
                         const mail::Templates& templates, const crypto::CodeHasher& codes,
                         const core::Clock& clock, core::RandomSource& random,
                         AccountMailOptions options, std::function<void()> mail_queued, Defer defer)
    : users_(users),
      outbox_(outbox),
      attempts_(attempts),
      auth_(auth),
      templates_(templates),
      codes_(codes),
      clock_(clock),
      random_(random),
      options_(std::move(options)),
      mail_queued_(std::move(mail_queued)),
      defer_(std::move(defer)) {}

void AccountMail::set_external_url(std::string url) {
  options_.external_url = std::move(url);
  if (options_.site_url.empty()) options_.site_url = options_.external_url;
}

void AccountMail::later(const char* what, std::function<Result<void>()> job) {
  auto run = [what, job = std::move(job)] {
    if (auto done = job(); !done) {
      core::log_event(core::LogLevel::error, "account mail not queued",
                      {{"flow", what}, {"reason", done.error().detail}});
    }
  };
  if (defer_) {
    defer_(std::move(run));
  } else {
    run();
  }
}

std::string AccountMail::allowed_redirect(std::string_view requested) const {
  if (!requested.empty()) {
    for (const std::string& allowed : options_.redirect_urls) {
      const bool prefix = allowed.size() > 2 && allowed.compare(allowed.size() - 2, 2, "**") == 0;
      if (prefix ? requested.substr(0, allowed.size() - 2) == std::string_view(allowed).substr(
                                                                 0, allowed.size() - 2)
                 : requested == allowed)
        return std::string(requested);
    }
  }
  // Security: anything else goes to the app's own URL, so latchkey is never an open redirect.
  return options_.site_url;
}

Result<void> AccountMail::admit(std::string_view kind, std::string_view email) {
  const core::Micros now = clock_.now_us();
  // Keyed by address whether or not it is a user's: a refusal tells nothing about who exists.
  std::optional<int> wait_s;
  if (options_.min_interval_s > 0) {
    const core::BucketRule one_per_interval{1, 60.0 / static_cast<double>(options_.min_interval_s)};
    auto wait = attempts_.take_token("mail:" + std::string(kind) + ":" + std::string(email),
                                     one_per_interval, now);
    if (!wait) return fail(std::move(wait).error());
    wait_s = *wait;
  }
  if (wait_s) {
    return fail(Error::make(ErrorCode::over_email_send_rate_limit,
                            "For security purposes, you can only request this after " +
                                std::to_string(*wait_s) + " seconds.",
                            "mail interval")
                    .retry_after(*wait_s));
  }
  auto queued = outbox_.mails_queued_since(now - 3600 * kSecond);
  if (!queued) return fail(std::move(queued).error());
  if (*queued >= options_.hourly_cap) {
    return fail(Error::make(ErrorCode::over_email_send_rate_limit, "Email rate limit exceeded",
                            "hourly cap")
                    .retry_after(60));
  }
  return {};
}

Result<void> AccountMail::queue(const store::UserRecord& user, TokenPurpose purpose,
                                std::string_view to, std::string_view redirect_to,
                                int64_t ttl_s) {
  const core::Micros now = clock_.now_us();
  const crypto::OneTimeSecret secret = crypto::new_one_time_secret(random_);
  const std::string kind(store::purpose_name(purpose));
  store::NewOneTimeToken token;
  token.user = user.id;
  token.purpose = purpose;
  token.email = std::string(to);
  token.link_hash = crypto::link_hash(secret.link_token);
  token.code_hash = codes_.hash(kind, token.email, secret.code);
  token.redirect_to = allowed_redirect(redirect_to);
  token.expires_at = now + ttl_s * kSecond;
  mail::TemplateValues values;
  values.product = options_.product;
  values.email = token.email;
  values.code = secret.code;
  values.link = options_.external_url +
                "/auth/v1/verify?token=" + core::url_encode(secret.link_token) + "&type=" + kind +
                "&redirect_to=" + core::url_encode(token.redirect_to);
  values.site_url = options_.site_url;
  const mail::MailContent content = templates_.render(purpose, values);
  auto issued = outbox_.issue(token, {token.email, content.subject, content.text, content.html},
                              now);
  if (!issued) return fail(std::move(issued).error());
  if (mail_queued_) mail_queued_();
  return {};
}

Result<SignUp> AccountMail::sign_up(std::string_view email, std::string phc_hash,
                                    std::string user_metadata, std::string_view redirect_to) {
  const std::string address = core::ascii_lower(email);
  const core::Micros now = clock_.now_us();
  store::NewUser fresh{UserId{core::Uuid::random_v4(random_)}, address, std::move(user_metadata),
                       std::move(phc_hash)};
  auto created = users_.create_user(fresh, now);
  if (created) {
    // A mail refused by the limits (someone asked /resend for this address a moment ago, or
    // the hourly cap) leaves the account created and waiting for a resend.
    auto admitted = admit("signup", address);
    if (!admitted && admitted.error().public_code != ErrorCode::over_email_send_rate_limit)
      return fail(std::move(admitted).error());
    if (admitted) {
      if (auto queued =
              queue(*created, TokenPurpose::signup, address, redirect_to, options_.confirm_ttl_s);
          !queued)
        return fail(std::move(queued).error());
    }
    return SignUp{std::move(*created), false};
  }
  if (created.error().code != Errc::conflict) return fail(std::move(created).error());
  // The confirmation again for an unconfirmed account. Refused by the interval, the answer is
  // still the decoy: a new address's first sign-up never hears of a limit either.
  if (auto ok = resend_confirmation(address, redirect_to);
      !ok && ok.error().public_code != ErrorCode::over_email_send_rate_limit)
    return fail(std::move(ok).error());
  store::UserRecord decoy;
  decoy.id = UserId{core::Uuid::random_v4(random_)};
  decoy.email = address;
  decoy.user_metadata = "{}";
  decoy.app_metadata = R"({"provider":"email","providers":["email"]})";
  decoy.created_at = decoy.updated_at = now;
  return SignUp{std::move(decoy), true};
}

Result<void> AccountMail::resend_confirmation(std::string_view email, std::string_view redirect_to) {
  const std::string address = core::ascii_lower(email);
  if (auto ok = admit("signup", address); !ok) return ok;
  later("resend", [this, address, redirect = std::string(redirect_to)]() -> Result<void> {
    auto user = users_.find_user_by_email(address);
    if (!user) return user.error().code == Errc::not_found ? Result<void>{} : fail(user.error());
    if (user->email_confirmed_at) return {};
    return queue(*user, TokenPurpose::signup, address, redirect, options_.confirm_ttl_s);
  });
  return {};
}

Result<void> AccountMail::recover(std::string_view email, std::string_view redirect_to) {
  const std::string address = core::ascii_lower(email);
  if (auto ok = admit("recovery", address); !ok) return ok;
  later("recover", [this, address, redirect = std::string(redirect_to)]() -> Result<void> {
    auto user = users_.find_user_by_email(address);
    if (!user) return user.error().code == Errc::not_found ? Result<void>{} : fail(user.error());
    return queue(*user, TokenPurpose::recovery, address, redirect, options_.otp_ttl_s);
  });
  return {};
}

Result<void> AccountMail::send_sign_in(std::string_view email, bool create_user,
                                       std::string user_metadata,
                                       std::string_view unusable_password_hash,
                                       std::string_view redirect_to) {
  const std::string address = core::ascii_lower(email);
  if (auto ok = admit("magiclink", address); !ok) return ok;
  later("otp",
        [this, address, create_user, meta = std::move(user_metadata),
         unusable = std::string(unusable_password_hash),
         redirect = std::string(redirect_to)]() mutable -> Result<void> {
          auto user = users_.find_user_by_email(address);
          if (user) {
            // An unconfirmed user signs in by confirming: the same code does both.
            const TokenPurpose purpose =
                user->email_confirmed_at ? TokenPurpose::magic_link : TokenPurpose::signup;
            return queue(
                *user, purpose, address, redirect,
                purpose == TokenPurpose::signup ? options_.confirm_ttl_s : options_.otp_ttl_s);
          }
          if (user.error().code != Errc::not_found) return fail(user.error());
          if (!create_user) return {};
          store::NewUser fresh{UserId{core::Uuid::random_v4(random_)}, address, std::move(meta),
                               std::move(unusable)};
          auto created = users_.create_user(fresh, clock_.now_us());
          // Someone else created it meanwhile: they get nothing more than the first request gave.
          if (!created)
            return created.error().code == Errc::conflict ? Result<void>{} : fail(created.error());
          return queue(*created, TokenPurpose::signup, address, redirect, options_.confirm_ttl_s);
        });
  return {};
}

Result<core::Micros> AccountMail::request_email_change(const Principal& who,
                                                       std::string_view new_email,
                                                       std::string_view redirect_to) {
  const std::string address = core::ascii_lower(new_email);
  auto taken = users_.find_user_by_email(address);
  if (taken) {
    return fail(Error::make(ErrorCode::email_exists,
                            "A user with this email address has already been registered",
                            "email change to a taken address"));
  }
  if (taken.error().code != Errc::not_found) return fail(taken.error());
  if (auto ok = admit("email_change", address); !ok) return fail(std::move(ok).error());
  auto user = users_.find_user(who.user_id);
  if (!user) return fail(user.error());
  if (auto queued =
          queue(*user, TokenPurpose::email_change, address, redirect_to, options_.otp_ttl_s);
      !queued)
    return fail(std::move(queued).error());
  return clock_.now_us();
}

Result<Verified> AccountMail::verify_code(TokenPurpose purpose, std::string_view email,
                                          std::string_view code,
                                          const store::SessionClient& client) {
  const std::string address = core::ascii_lower(email);
  const std::string hash = codes_.hash(store::purpose_name(purpose), address, code);
  return complete(
      outbox_.redeem_code(purpose, address, hash, options_.max_code_attempts, clock_.now_us()),
      client);
}

Result<Verified> AccountMail::verify_link(TokenPurpose purpose, std::string_view link_token,
                                          const store::SessionClient& client) {
  return complete(outbox_.redeem_link(purpose, crypto::link_hash(link_token), clock_.now_us()),
                  client);
}

Result<Verified> AccountMail::complete(Result<store::OneTimeToken> token,
                                       const store::SessionClient& client) {
  if (!token) {
    Error e = std::move(token).error();
    if (e.code == Errc::unauthenticated) return fail(otp_expired(e.detail));
    return fail(std::move(e));
  }
  auto user = users_.find_user(token->user);
  if (!user) return fail(otp_expired("user gone"));
  const core::Micros now = clock_.now_us();
  if (user->banned_until && *user->banned_until > now) {
    return fail(Error::make(ErrorCode::user_banned, "User is banned", "banned at verify"));
  }
  store::UserPatch patch;
  bool changed = false;
  if (token->purpose == TokenPurpose::email_change) {
    patch.email = token->email;
    changed = true;
  }
  // Every mail proves the address it went to: the first verification confirms it.
  if (!user->email_confirmed_at || token->purpose == TokenPurpose::email_change) {
    patch.email_confirmed_at = std::optional<core::Micros>(now);
    changed = true;
  }
  if (changed) {
    auto updated = users_.update_user(user->id, patch, now);
    if (!updated) {
      Error e = std::move(updated).error();
      if (e.code == Errc::conflict) {
        return fail(std::move(e).with_code(ErrorCode::email_exists,
                                           "A user with this email address has already been registered"));
      }
      return fail(std::move(e));
    }
    user = std::move(updated);
  }
  const SignInMethod method = token->purpose == TokenPurpose::recovery ? SignInMethod::recovery
                                                                       : SignInMethod::otp;
  auto session = auth_.open_session(std::move(*user), method, client);
  if (!session) return fail(std::move(session).error());
  return Verified{std::move(*session), token->purpose, token->redirect_to};
}

}  // namespace latchkey::auth
