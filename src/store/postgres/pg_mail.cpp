// MailStore on PostgreSQL: one-time tokens and the mail outbox, as the login role. Every
// write is one statement (one implicit transaction): a token and its mail are one INSERT
// chain, a redemption one UPDATE whose row lock serializes concurrent attempts, and the
// courier claims rows with FOR UPDATE SKIP LOCKED so several nodes never take the same mail.
#include "store/postgres/pg_database.hpp"

namespace latchkey::store::postgres {
namespace {

const std::string kTokenColumns = "id, user_id, purpose, email, redirect_to, " +
                                  micros_col("created_at") + ", " + micros_col("expires_at");
const std::string kMailColumns =
    "id, kind, recipient, subject, body_text, body_html, state, attempts, " +
    micros_col("created_at") + ", " + micros_col("next_attempt_at") + ", " +
    micros_col("sent_at") + ", last_error";

const Statement kIssue{
    "lk_mail_issue",
    "WITH spent AS (UPDATE auth.one_time_tokens SET spent_at = " + ts_param("$8") +
        " WHERE user_id = $2 AND purpose = $3 AND spent_at IS NULL),"
        " token AS (INSERT INTO auth.one_time_tokens (id, user_id, purpose, email, link_hash,"
        " code_hash, redirect_to, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, " +
        ts_param("$8") + ", " + ts_param("$9") +
        "))"
        " INSERT INTO auth.mail_outbox (id, kind, recipient, subject, body_text, body_html,"
        " created_at, next_attempt_at) VALUES ($10, $3, $11, $12, $13, $14, " +
        ts_param("$8") + ", " + ts_param("$8") + ")"};
const Statement kRedeemLink{
    "lk_mail_redeem_link",
    "UPDATE auth.one_time_tokens SET spent_at = " + ts_param("$3") +
        " WHERE link_hash = $1 AND purpose = $2 AND spent_at IS NULL AND expires_at > " +
        ts_param("$3") + " RETURNING " + kTokenColumns};
// The live token is locked first, then spent on a match or charged a failure; RETURNING sees
// the row as updated. A concurrent redemption waits on the lock and then finds it spent.
const Statement kRedeemCode{
    "lk_mail_redeem_code",
    "WITH live AS (SELECT id FROM auth.one_time_tokens WHERE email = $1 AND purpose = $2"
    " AND spent_at IS NULL AND expires_at > " +
        ts_param("$4") +
        " ORDER BY created_at DESC LIMIT 1 FOR UPDATE)"
        " UPDATE auth.one_time_tokens t SET"
        " failed_attempts = t.failed_attempts + CASE WHEN t.code_hash = $3 THEN 0 ELSE 1 END,"
        " spent_at = CASE WHEN t.code_hash = $3 OR t.failed_attempts + 1 >= $5::int THEN " +
        ts_param("$4") +
        " END FROM live WHERE t.id = live.id RETURNING t.id, t.user_id, t.purpose, t.email,"
        " t.redirect_to, " +
        micros_col("t.created_at") + ", " + micros_col("t.expires_at") +
        ", t.code_hash = $3, t.spent_at IS NOT NULL"};
const Statement kLastMail{"lk_mail_last",
                          "SELECT " + micros_col("max(created_at)") +
                              " FROM auth.mail_outbox WHERE recipient = $1 AND kind = $2"};
const Statement kQueuedSince{
    "lk_mail_since", "SELECT count(*) FROM auth.mail_outbox WHERE created_at >= " + ts_param("$1")};
const Statement kClaim{
    "lk_mail_claim",
    "UPDATE auth.mail_outbox SET lease_until = " + ts_param("$2") +
        ", attempts = attempts + 1 WHERE id IN (SELECT id FROM auth.mail_outbox"
        " WHERE state = 'pending' AND next_attempt_at <= " +
        ts_param("$1") + " AND (lease_until IS NULL OR lease_until <= " + ts_param("$1") +
        ") ORDER BY next_attempt_at, created_at LIMIT $3::int FOR UPDATE SKIP LOCKED)"
        " RETURNING " +
        kMailColumns};
const Statement kSent{"lk_mail_sent",
                      "UPDATE auth.mail_outbox SET state = 'sent', sent_at = " + ts_param("$2") +
                          ", lease_until = NULL, body_text = '', body_html = '', last_error = ''"
                          " WHERE id = $1"};
const Statement kFailed{
    "lk_mail_failed",
    "UPDATE auth.mail_outbox SET lease_until = NULL, last_error = $2,"
    " state = CASE WHEN $3::bigint IS NULL THEN 'dead' ELSE 'pending' END,"
    " next_attempt_at = coalesce(" +
        ts_param("$3") +
        ", next_attempt_at),"
        " body_text = CASE WHEN $3::bigint IS NULL THEN '' ELSE body_text END,"
        " body_html = CASE WHEN $3::bigint IS NULL THEN '' ELSE body_html END WHERE id = $1"};
const Statement kRecent{"lk_mail_recent", "SELECT " + kMailColumns +
                                              " FROM auth.mail_outbox"
                                              " ORDER BY created_at DESC, id DESC LIMIT $1::int"};

Error no_token(std::string detail) { return Error::of(Errc::unauthenticated, std::move(detail)); }

Result<OneTimeToken> read_token(const PGresult* r, int row) {
  auto id = uuid_col(r, row, 0);
  auto user = uuid_col(r, row, 1);
  auto purpose = purpose_from_name(text(r, row, 2));
  if (!id || !user || !purpose) return fail(corrupt_row("auth.one_time_tokens"));
  OneTimeToken t;
  t.id = *id;
  t.user = UserId{*user};
  t.purpose = *purpose;
  t.email = text(r, row, 3);
  t.redirect_to = text(r, row, 4);
  t.created_at = int64(r, row, 5);
  t.expires_at = int64(r, row, 6);
  return t;
}

Result<std::vector<MailRecord>> read_mails(const PGresult* r) {
  std::vector<MailRecord> out;
  for (int i = 0; i < PQntuples(r); ++i) {
    auto id = uuid_col(r, i, 0);
    if (!id) return fail(corrupt_row("auth.mail_outbox.id"));
    const std::string state = text(r, i, 6);
    MailRecord m;
    m.id = *id;
    m.kind = text(r, i, 1);
    m.to = text(r, i, 2);
    m.subject = text(r, i, 3);
    m.text = text(r, i, 4);
    m.html = text(r, i, 5);
    if (state == "pending") m.state = MailState::pending;
    else if (state == "sent") m.state = MailState::sent;
    else if (state == "dead") m.state = MailState::dead;
    else return fail(corrupt_row("auth.mail_outbox.state"));
    m.attempts = static_cast<int>(int64(r, i, 7));
    m.created_at = int64(r, i, 8);
    m.next_attempt_at = int64(r, i, 9);
    m.sent_at = opt_int64(r, i, 10);
    m.last_error = text(r, i, 11);
    out.push_back(std::move(m));
  }
  return out;
}

class PgMail final : public MailStore {
 public:
  PgMail(PgDatabase& db, core::RandomSource& random) : db_(db), random_(random) {}

  Result<OneTimeToken> issue(const NewOneTimeToken& token, const NewMail& mail,
                             core::Micros now) override {
    const OneTimeToken out = issued_token(token, core::Uuid::random_v4(random_), now);
    const core::Uuid mail_id = core::Uuid::random_v4(random_);
    auto r = run(kIssue, Params{out.id.str(), token.user.str(), std::string(purpose_name(token.purpose)),
                                token.email, token.link_hash, token.code_hash, token.redirect_to,
                                std::to_string(now), std::to_string(token.expires_at),
                                mail_id.str(), mail.to, mail.subject, mail.text, mail.html});
    if (!r) return fail(std::move(r).error());
    return out;
  }

  Result<OneTimeToken> redeem_link(TokenPurpose purpose, std::string_view link_hash,
                                   core::Micros now) override {
    auto r = run(kRedeemLink, Params{std::string(link_hash), std::string(purpose_name(purpose)),
                                     std::to_string(now)});
    if (!r) return fail(std::move(r).error());
    if (PQntuples(r->get()) == 0) return fail(no_token("link not live"));
    return read_token(r->get(), 0);
  }

  Result<OneTimeToken> redeem_code(TokenPurpose purpose, std::string_view email,
                                   std::string_view code_hash, int max_attempts,
                                   core::Micros now) override {
    auto r = run(kRedeemCode, Params{std::string(email), std::string(purpose_name(purpose)),
                                     std::string(code_hash), std::to_string(now),
                                     std::to_string(max_attempts)});
    if (!r) return fail(std::move(r).error());
    const PGresult* res = r->get();
    if (PQntuples(res) == 0) return fail(no_token("no live code"));
    if (text(res, 0, 7) != "t") {
      return fail(no_token(text(res, 0, 8) == "t" ? std::string(kTokenExhausted) : "wrong code"));
    }
    return read_token(res, 0);
  }

  Result<std::optional<core::Micros>> last_mail_at(std::string_view to,
                                                   std::string_view kind) override {
    auto r = run(kLastMail, Params{std::string(to), std::string(kind)});
    if (!r) return fail(std::move(r).error());
    if (PQgetisnull(r->get(), 0, 0)) return std::optional<core::Micros>();
    return std::optional<core::Micros>(int64(r->get(), 0, 0));
  }

  Result<int64_t> mails_queued_since(core::Micros since) override {
    auto r = run(kQueuedSince, Params{std::to_string(since)});
    if (!r) return fail(std::move(r).error());
    return int64(r->get(), 0, 0);
  }

  Result<std::vector<MailRecord>> claim_due(core::Micros now, core::Micros lease_until,
                                            int limit) override {
    auto r = run(kClaim, Params{std::to_string(now), std::to_string(lease_until),
                                std::to_string(limit)});
    if (!r) return fail(std::move(r).error());
    auto mails = read_mails(r->get());
    if (!mails) return mails;
    sort_by_due(*mails);
    return mails;
  }

  Result<void> mark_sent(core::Uuid id, core::Micros now) override {
    auto r = run(kSent, Params{id.str(), std::to_string(now)});
    if (!r) return fail(std::move(r).error());
    return {};
  }

  Result<void> mark_failed(core::Uuid id, std::string error,
                           std::optional<core::Micros> retry_at) override {
    std::optional<std::string> retry;
    if (retry_at) retry = std::to_string(*retry_at);
    auto r = run(kFailed, Params{id.str(), std::move(error), retry});
    if (!r) return fail(std::move(r).error());
    return {};
  }

  Result<std::vector<MailRecord>> recent_mail(int limit) override {
    auto r = run(kRecent, Params{std::to_string(limit)});
    if (!r) return fail(std::move(r).error());
    return read_mails(r->get());
  }

 private:
  Result<PgResult> run(const Statement& s, Params params) {
    auto lease = db_.connection();
    if (!lease) return fail(std::move(lease).error());
    return (*lease)->run(s, std::move(params));
  }

  PgDatabase& db_;
  core::RandomSource& random_;
};

}  // namespace

std::unique_ptr<MailStore> make_mail(PgDatabase& db, core::RandomSource& random) {
  return std::make_unique<PgMail>(db, random);
}

}  // namespace latchkey::store::postgres
