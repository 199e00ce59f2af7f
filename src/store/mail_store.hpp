#pragma once
// One-time tokens (the code and the link of a confirmation, recovery, email change or
// magic-link mail) and the outbox that carries them. One store, because a token and its mail
// are written in one transaction: a crash never leaves a token nobody was told about, nor a
// mail whose code does not work.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/uuid.hpp"

namespace latchkey::store {

enum class TokenPurpose { signup, recovery, email_change, magic_link };
// "signup", "recovery", "email_change", "magiclink" (GoTrue's names): stored, and the mail kind.
std::string_view purpose_name(TokenPurpose purpose);
std::optional<TokenPurpose> purpose_from_name(std::string_view name);

struct NewMail {
  std::string to;
  std::string subject;
  std::string text;
  std::string html;
};

struct NewOneTimeToken {
  UserId user;
  TokenPurpose purpose = TokenPurpose::signup;
  std::string email;        // where the mail goes (email_change: the new address), lower-cased
  std::string link_hash;    // SHA-256 (hex) of the link's token
  std::string code_hash;    // keyed hash (hex) of the 6-digit code: a code alone is guessable
  std::string redirect_to;  // already checked against the allow-list; empty: the site URL
  core::Micros expires_at = 0;
};

struct OneTimeToken {
  core::Uuid id;
  UserId user;
  TokenPurpose purpose = TokenPurpose::signup;
  std::string email;
  std::string redirect_to;
  core::Micros created_at = 0;
  core::Micros expires_at = 0;
};

enum class MailState { pending, sent, dead };

struct MailRecord {
  core::Uuid id;
  std::string kind;  // purpose_name of the token it carries
  std::string to;
  std::string subject;
  // Empty once sent or dead: the code and the link are not kept after delivery. With no SMTP
  // configured mail stays pending, and `latchkey mail list` shows it (a dev mailbox).
  std::string text;
  std::string html;
  MailState state = MailState::pending;
  int attempts = 0;  // tries so far
  core::Micros created_at = 0;
  core::Micros next_attempt_at = 0;
  std::optional<core::Micros> sent_at;
  std::string last_error;  // the last failed try's reason (no secrets: SMTP's reply)
};

// For the backends: the token `issue` stores, with its id and time.
OneTimeToken issued_token(const NewOneTimeToken& token, core::Uuid id, core::Micros now);
// For the backends: claimed mail in the order claim_due promises (RETURNING has none).
void sort_by_due(std::vector<MailRecord>& mails);

// The detail of a redeem_code error when the wrong code was the last one allowed.
inline constexpr std::string_view kTokenExhausted = "one_time_token_exhausted";

class MailStore {
 public:
  virtual ~MailStore() = default;

  // Stores `token` and queues `mail` for it, in one transaction. The user's unused tokens of
  // the same purpose are spent first: only the newest mail works.
  virtual Result<OneTimeToken> issue(const NewOneTimeToken& token, const NewMail& mail,
                                     core::Micros now) = 0;
  // The live token of `purpose` whose link hash this is, spent now. unauthenticated (one
  // answer for unknown, spent, expired and exhausted) otherwise.
  virtual Result<OneTimeToken> redeem_link(TokenPurpose purpose, std::string_view link_hash,
                                           core::Micros now) = 0;
  // The live token of `purpose` sent to `email`, spent now if `code_hash` is its code's. A
  // wrong code counts against the token; the one that reaches `max_attempts` spends it
  // (detail kTokenExhausted). unauthenticated on every failure.
  virtual Result<OneTimeToken> redeem_code(TokenPurpose purpose, std::string_view email,
                                           std::string_view code_hash, int max_attempts,
                                           core::Micros now) = 0;

  // When a mail of `kind` was last queued to `to`, for the per-address interval.
  virtual Result<std::optional<core::Micros>> last_mail_at(std::string_view to,
                                                           std::string_view kind) = 0;
  // Mails queued at or after `since`, for the instance's hourly cap.
  virtual Result<int64_t> mails_queued_since(core::Micros since) = 0;

  // The courier's side. Up to `limit` pending mails due at `now`, oldest first, each leased
  // until `lease_until` and counted as a try: until then no other courier (on any node) gets
  // it. A courier that dies mid-send loses its lease and the mail is tried again (delivery
  // is at least once).
  virtual Result<std::vector<MailRecord>> claim_due(core::Micros now, core::Micros lease_until,
                                                    int limit) = 0;
  // Delivered: its body (which holds the code and the link) is dropped.
  virtual Result<void> mark_sent(core::Uuid id, core::Micros now) = 0;
  // A failed try: pending again from `retry_at`, or dead (and its body dropped) if nullopt.
  virtual Result<void> mark_failed(core::Uuid id, std::string error,
                                   std::optional<core::Micros> retry_at) = 0;
  // The newest `limit` mails, newest first (latchkey mail list).
  virtual Result<std::vector<MailRecord>> recent_mail(int limit) = 0;
};

}  // namespace latchkey::store
