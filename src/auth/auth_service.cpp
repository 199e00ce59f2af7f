#include "auth/auth_service.hpp"

#include <algorithm>
#include <cctype>

#include "core/ascii.hpp"
#include "core/ip_address.hpp"
#include "crypto/digest.hpp"
#include "crypto/seal.hpp"

namespace latchkey::auth {
namespace {

constexpr size_t kRefreshTokenBytes = 32;
constexpr const char* kInvalidCredentials = "Invalid credentials";

constexpr size_t kMaxUserAgent = 256;

}  // namespace

std::string_view method_name(SignInMethod method) {
  switch (method) {
    case SignInMethod::otp:
      return "otp";
    case SignInMethod::recovery:
      return "recovery";
    case SignInMethod::password:
      break;
  }
  return "password";
}

store::SessionClient describe_client(std::string_view ip, std::string_view user_agent) {
  store::SessionClient client{std::string(ip), {}};
  const auto n = std::min(user_agent.size(), kMaxUserAgent);
  client.user_agent.reserve(n);
  for (const char ch : user_agent.substr(0, n))
    client.user_agent += (ch >= 0x20 && ch < 0x7f) ? ch : '?';
  return client;
}

AuthService::AuthService(store::UserStore& users, store::SessionStore& sessions,
                         store::AttemptStore& attempts, const crypto::PasswordHasher& hasher,
                         const crypto::JwtCodec& jwt, const core::Clock& clock,
                         core::RandomSource& random, AuthOptions options)
    : users_(users),
      sessions_(sessions),
      attempts_(attempts),
      hasher_(hasher),
      jwt_(jwt),
      clock_(clock),
      random_(random),
      options_(options),
      // Hash of a random password, made with the live parameters: verifying against it
      // costs what a real verification costs, so unknown emails are not faster.
      dummy_hash_(hasher.hash(crypto::random_token(random, 24))) {}

Result<void> AuthService::admit_client(std::string_view client_address) {
  // IPv6 clients are counted per /64 (issue 8), so a host cannot rotate through its prefix.
  auto wait = attempts_.take_token("ip:" + core::address_bucket(client_address),
                                   options_.client_attempts, clock_.now_us());
  if (!wait) return fail(std::move(wait).error());
  if (*wait) {
    return fail(Error::make(ErrorCode::over_request_rate_limit,
                            "Too many requests, try again later", "client limit")
                    .retry_after(**wait));
  }
  return {};
}

std::string AuthService::hash_password(std::string_view password) const {
  return hasher_.hash(password);
}

Result<AuthResult> AuthService::register_hashed(std::string_view email, std::string phc_hash,
                                                std::string user_metadata,
                                                const store::SessionClient& client) {
  store::NewUser user{UserId{core::Uuid::random_v4(random_)}, core::ascii_lower(email),
                      std::move(user_metadata), std::move(phc_hash)};
  // Sign-up confirms at once (mailer auto-confirm, the tutorial contract).
  user.email_confirmed_at = clock_.now_us();
  auto created = users_.create_user(user, clock_.now_us());
  if (!created) {
    Error e = std::move(created).error();
    if (e.code == Errc::conflict)
      return fail(std::move(e).with_code(ErrorCode::user_already_exists, "User already registered"));
    return fail(std::move(e));
  }
  return open_session(std::move(created).value(), SignInMethod::password, client);
}

Result<store::UserRecord> AuthService::check_credentials(std::string_view email,
                                                         std::string_view password) {
  const auto key = "login:" + core::ascii_lower(email);
  // Reserved before any hashing, atomically: a throttled guess costs the server nothing, and
  // concurrent guesses cannot all slip in before the first is counted. Unknown emails back
  // off the same way, so throttling reveals nothing about which emails exist.
  auto wait = attempts_.reserve_attempt(key, options_.login_backoff, clock_.now_us());
  if (!wait) return fail(std::move(wait).error());
  if (*wait) {
    return fail(Error::make(ErrorCode::over_login_rate_limit,
                            "Too many failed login attempts, try again later", "login backoff")
                    .retry_after(**wait));
  }
  // The attempt already counts as a failure; only a success clears it.
  auto failed = [](const char* why) -> Result<store::UserRecord> {
    return fail(Error::make(ErrorCode::invalid_credentials, kInvalidCredentials, why));
  };
  auto user = users_.find_user_by_email(core::ascii_lower(email));
  if (!user) {
    if (user.error().code != Errc::not_found) return fail(std::move(user).error());
    // Same work as a real check; the result is ignored.
    (void)hasher_.verify(dummy_hash_, password);
    return failed("unknown email");
  }
  if (!hasher_.verify(user->password_hash, password)) return failed("wrong password");
  if (auto cleared = attempts_.clear_failures(key); !cleared)
    return fail(std::move(cleared).error());
  // Told only to whoever knows the password, so these reveal nothing to a guesser.
  if (!user->email_confirmed_at) {
    return fail(Error::make(ErrorCode::email_not_confirmed, "Email not confirmed", "unconfirmed"));
  }
  if (banned(*user)) return fail(Error::make(ErrorCode::user_banned, "User is banned", "banned"));
  if (hasher_.needs_rehash(user->password_hash)) {
    // Parameters were raised since this hash was made: upgrade it while we know the password.
    // A failure here must not fail the login.
    auto rehashed = hasher_.hash(password);
    if (users_.set_password_hash(user->id, rehashed)) user->password_hash = std::move(rehashed);
  }
  return user;
}

Result<AuthResult> AuthService::refresh(std::string_view refresh_token,
                                        const store::SessionClient& client) {
  auto next = crypto::random_token(random_, kRefreshTokenBytes);
  const auto old_hash = crypto::sha256_hex(refresh_token);
  const auto next_hash = crypto::sha256_hex(next);
  const core::Micros reuse_interval = options_.refresh_reuse_interval_s * 1'000'000;
  // Sealed under the token being spent, so that only its holder can get the successor back
  // from a forgiven replay; with no interval nothing is kept.
  const std::string next_sealed =
      reuse_interval > 0
          ? crypto::seal(refresh_token, crypto::SealPurpose::refresh_successor, next, random_)
          : std::string();
  auto rotated = sessions_.rotate_refresh_token({old_hash, next_hash, next_sealed, reuse_interval},
                                                clock_.now_us(), client);
  if (!rotated) {
    auto e = std::move(rotated).error();
    if (e.code != Errc::unauthenticated) return fail(std::move(e));
    const auto code = e.detail == store::kRefreshTokenReused ? ErrorCode::refresh_token_already_used
                                                             : ErrorCode::refresh_token_not_found;
    return fail(std::move(e).with_code(code, "Invalid refresh token"));
  }
  if (rotated->live_sealed) {
    // A forgiven replay: answer with the session's live token, which nothing else can open.
    auto live = crypto::open_sealed(refresh_token, crypto::SealPurpose::refresh_successor,
                                    *rotated->live_sealed);
    if (!live) return fail(Error::of(Errc::internal, "refresh token seal does not open"));
    next = std::move(*live);
  }
  const store::SessionRecord* session = &rotated->session;
  auto user = users_.find_user(session->user_id);
  if (!user) {
    if (user.error().code == Errc::not_found) {
      return fail(Error::make(ErrorCode::refresh_token_not_found, "Invalid refresh token", "user gone"));
    }
    return fail(std::move(user).error());
  }
  if (banned(*user)) return fail(Error::make(ErrorCode::user_banned, "User is banned", "banned"));
  auto tokens = issue_tokens(*user, *session, std::move(next));
  return AuthResult{std::move(user).value(), std::move(tokens)};
}

Result<void> AuthService::logout(const Principal& who, LogoutScope scope) {
  const auto now = clock_.now_us();
  if (scope != LogoutScope::local) {
    std::optional<SessionId> keep;
    if (scope == LogoutScope::others) keep = who.session_id;
    auto revoked = sessions_.revoke_user_sessions(who.user_id, keep, now);
    if (!revoked) return fail(std::move(revoked).error());
    return {};
  }
  auto revoked = sessions_.revoke_session(who.user_id, who.session_id, now);
  if (!revoked && revoked.error().code == Errc::not_found) {
    return fail(Error::make(ErrorCode::session_not_found, "Could not validate credentials",
                            "session not found"));
  }
  return revoked;
}

Result<std::vector<store::SessionRecord>> AuthService::list_sessions(const Principal& who) {
  return sessions_.list_sessions(who.user_id, clock_.now_us(), kMaxListedSessions);
}

Result<void> AuthService::revoke_session(const Principal& who, SessionId session) {
  auto revoked = sessions_.revoke_session(who.user_id, session, clock_.now_us());
  if (!revoked && revoked.error().code == Errc::not_found) {
    return fail(Error::make(ErrorCode::not_found, "Session not found", "not the caller's"));
  }
  return revoked;
}

Result<store::UserRecord> AuthService::me(const Principal& who) {
  auto user = users_.find_user(who.user_id);
  if (!user && user.error().code == Errc::not_found) {
    return fail(Error::make(ErrorCode::user_not_found, "Could not validate credentials", "user gone"));
  }
  return user;
}

Result<Principal> AuthService::verify_access_token(std::string_view token) const {
  auto claims = jwt_.verify(token, clock_.now_s());
  if (!claims) return fail(std::move(claims).error());
  auto user = core::Uuid::parse(claims->sub);
  auto session = core::Uuid::parse(claims->session_id);
  if (!user || !session) {
    return fail(Error::make(ErrorCode::bad_jwt, "Could not validate credentials", "malformed_claims"));
  }
  return Principal{UserId{*user}, SessionId{*session}, std::move(claims->email),
                   Role::authenticated};
}

namespace {

std::optional<Role> key_role(std::string_view role) {
  if (role == "anon") return Role::anon;
  // supabase_admin is what Supabase's own tooling signs with; it has service_role's rights.
  if (role == "service_role" || role == "supabase_admin") return Role::service_role;
  return std::nullopt;
}

}  // namespace

Result<Principal> AuthService::verify_bearer(std::string_view token) const {
  auto user = verify_access_token(token);
  if (user || user.error().public_code == ErrorCode::token_expired) return user;
  auto key = jwt_.verify_api_key(token, clock_.now_s());
  if (!key) {
    // The more telling reason: an expired key says so; otherwise why it is no user token.
    if (key.error().public_code == ErrorCode::token_expired) return fail(std::move(key).error());
    return fail(std::move(user).error());
  }
  auto role = key_role(key->role);
  if (!role) return fail(Error::make(ErrorCode::bad_jwt, "Could not validate credentials", "unknown role"));
  Principal p;
  p.role = *role;
  return p;
}

Result<Role> AuthService::verify_api_key(std::string_view token) const {
  auto key = jwt_.verify_api_key(token, clock_.now_s());
  std::optional<Role> role;
  if (key) role = key_role(key->role);
  if (!role) return fail(Error::make(ErrorCode::invalid_api_key, "Invalid API key", "apikey refused"));
  return *role;
}

std::string AuthService::mint_api_key(Role role, int64_t ttl_s) const {
  const int64_t now = clock_.now_s();
  return jwt_.sign_api_key(
      crypto::ApiKeyClaims{role == Role::service_role ? "service_role" : "anon", now, now + ttl_s});
}

bool AuthService::banned(const store::UserRecord& user) const {
  return user.banned_until && *user.banned_until > clock_.now_us();
}

Result<void> AuthService::check_session(const Principal& who) {
  auto open = sessions_.check_session(who.user_id, who.session_id, clock_.now_us());
  if (!open && open.error().code == Errc::unauthenticated) {
    return fail(std::move(open).error().with_code(ErrorCode::session_not_found,
                                                  "Session expired or revoked"));
  }
  return open;
}

Result<AuthResult> AuthService::open_session(store::UserRecord user, SignInMethod method,
                                             const store::SessionClient& client) {
  const auto now = clock_.now_us();
  store::SessionRecord session{SessionId{core::Uuid::random_v4(random_)}, user.id, now,
                               now + options_.refresh_ttl_s * 1'000'000, std::nullopt};
  session.sign_in_method = method_name(method);
  session.client = client;
  auto refresh_token = crypto::random_token(random_, kRefreshTokenBytes);
  auto opened = sessions_.open_session(session, crypto::sha256_hex(refresh_token));
  if (!opened) return fail(std::move(opened).error());
  user.last_sign_in_at = now;
  auto tokens = issue_tokens(user, session, std::move(refresh_token));
  return AuthResult{std::move(user), std::move(tokens)};
}

TokenPair AuthService::issue_tokens(const store::UserRecord& user,
                                    const store::SessionRecord& session,
                                    std::string refresh_token) const {
  const auto now = clock_.now_s();
  crypto::AccessClaims claims;
  claims.sub = user.id.str();
  claims.email = user.email;
  claims.role = "authenticated";
  claims.aud = jwt_.policy().audience;
  claims.iss = jwt_.policy().issuer;
  claims.iat = now;
  claims.exp = now + options_.access_ttl_s;
  claims.session_id = session.id.str();
  claims.phone = user.phone.value_or("");
  claims.app_metadata = user.app_metadata;
  claims.user_metadata = user.user_metadata;
  // As GoTrue: how and when the session was signed in, the same in every refreshed token.
  claims.amr.push_back({session.sign_in_method, session.created_at / 1'000'000});
  return TokenPair{jwt_.sign(claims), options_.access_ttl_s, claims.exp, std::move(refresh_token)};
}

}  // namespace latchkey::auth
