// MailStore on SQLite: one-time tokens and the mail outbox. Writes are group-commit jobs on
// the single writer connection, so two redemptions of one token are serialized: exactly one
// finds it unspent.
#include "store/sqlite/sqlite_database.hpp"

namespace latchkey::store::sqlite {
namespace {

constexpr const char* kTokenColumns =
    "id, user_id, purpose, email, redirect_to, created_at, expires_at";
constexpr const char* kMailColumns =
    "id, kind, recipient, subject, body_text, body_html, state, attempts, created_at,"
    " next_attempt_at, sent_at, last_error";

Error no_token(std::string detail) { return Error::of(Errc::unauthenticated, std::move(detail)); }

Result<OneTimeToken> read_token(const Query& q) {
  auto id = parse_uuid_column(q, 0);
  auto user = parse_uuid_column(q, 1);
  auto purpose = purpose_from_name(q.text(2));
  if (!id || !user || !purpose) return fail(corrupt_row("one_time_tokens"));
  OneTimeToken t;
  t.id = *id;
  t.user = UserId{*user};
  t.purpose = *purpose;
  t.email = q.text(3);
  t.redirect_to = q.text(4);
  t.created_at = q.int64(5);
  t.expires_at = q.int64(6);
  return t;
}

Result<MailState> mail_state(const std::string& s) {
  if (s == "pending") return MailState::pending;
  if (s == "sent") return MailState::sent;
  if (s == "dead") return MailState::dead;
  return fail(corrupt_row("mail_outbox.state"));
}

Result<MailRecord> read_mail(const Query& q) {
  auto id = parse_uuid_column(q, 0);
  if (!id) return fail(corrupt_row("mail_outbox.id"));
  auto state = mail_state(q.text(6));
  if (!state) return fail(std::move(state).error());
  MailRecord m;
  m.id = *id;
  m.kind = q.text(1);
  m.to = q.text(2);
  m.subject = q.text(3);
  m.text = q.text(4);
  m.html = q.text(5);
  m.state = *state;
  m.attempts = static_cast<int>(q.int64(7));
  m.created_at = q.int64(8);
  m.next_attempt_at = q.int64(9);
  m.sent_at = q.opt_int64(10);
  m.last_error = q.text(11);
  return m;
}

Result<std::vector<MailRecord>> read_mails(Query& q) {
  std::vector<MailRecord> out;
  for (;;) {
    auto more = q.step();
    if (!more) return fail(std::move(more).error());
    if (!*more) return out;
    auto m = read_mail(q);
    if (!m) return fail(std::move(m).error());
    out.push_back(std::move(*m));
  }
}

Result<void> spend(Connection& c, const core::Uuid& id, core::Micros now) {
  auto q = c.query("UPDATE one_time_tokens SET spent_at = ?2 WHERE id = ?1");
  if (!q) return fail(std::move(q).error());
  return q->bind(1, id.str()).bind(2, now).run();
}

class SqliteMail final : public MailStore {
 public:
  SqliteMail(SqliteDatabase& db, core::RandomSource& random) : db_(db), random_(random) {}

  Result<OneTimeToken> issue(const NewOneTimeToken& token, const NewMail& mail,
                             core::Micros now) override {
    const OneTimeToken out = issued_token(token, core::Uuid::random_v4(random_), now);
    const core::Uuid mail_id = core::Uuid::random_v4(random_);
    const std::string purpose(purpose_name(token.purpose));
    return db_.write([&](Connection& c) -> Result<OneTimeToken> {
      auto old = c.query(
          "UPDATE one_time_tokens SET spent_at = ?3"
          " WHERE user_id = ?1 AND purpose = ?2 AND spent_at IS NULL");
      if (!old) return fail(std::move(old).error());
      if (auto r = old->bind(1, token.user.str()).bind(2, purpose).bind(3, now).run(); !r)
        return fail(std::move(r).error());
      auto t = c.query(
          "INSERT INTO one_time_tokens(id, user_id, purpose, email, link_hash, code_hash,"
          " redirect_to, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
      if (!t) return fail(std::move(t).error());
      t->bind(1, out.id.str()).bind(2, token.user.str()).bind(3, purpose).bind(4, token.email);
      t->bind(5, token.link_hash).bind(6, token.code_hash).bind(7, token.redirect_to);
      t->bind(8, now).bind(9, token.expires_at);
      if (auto r = t->run(); !r) return fail(std::move(r).error());
      auto m = c.query(
          "INSERT INTO mail_outbox(id, kind, recipient, subject, body_text, body_html,"
          " created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)");
      if (!m) return fail(std::move(m).error());
      m->bind(1, mail_id.str()).bind(2, purpose).bind(3, mail.to).bind(4, mail.subject);
      m->bind(5, mail.text).bind(6, mail.html).bind(7, now);
      if (auto r = m->run(); !r) return fail(std::move(r).error());
      return out;
    });
  }

  Result<OneTimeToken> redeem_link(TokenPurpose purpose, std::string_view link_hash,
                                   core::Micros now) override {
    const std::string name(purpose_name(purpose));
    return db_.write([&](Connection& c) -> Result<OneTimeToken> {
      auto q = c.query(std::string("SELECT ") + kTokenColumns +
                       " FROM one_time_tokens WHERE link_hash = ?1 AND purpose = ?2"
                       " AND spent_at IS NULL AND expires_at > ?3");
      if (!q) return fail(std::move(q).error());
      q->bind(1, link_hash).bind(2, name).bind(3, now);
      auto row = q->step();
      if (!row) return fail(std::move(row).error());
      if (!*row) return fail(no_token("link not live"));
      auto token = read_token(*q);
      if (!token) return token;
      if (auto r = spend(c, token->id, now); !r) return fail(std::move(r).error());
      return token;
    });
  }

  Result<OneTimeToken> redeem_code(TokenPurpose purpose, std::string_view email,
                                   std::string_view code_hash, int max_attempts,
                                   core::Micros now) override {
    const std::string name(purpose_name(purpose));
    return db_.write([&](Connection& c) -> Written<OneTimeToken> {
      auto failed = [](Error e) { return Written<OneTimeToken>{fail(std::move(e)), false}; };
      // At most one is unspent: issue() spends the older ones.
      auto q = c.query(std::string("SELECT ") + kTokenColumns +
                       ", code_hash, failed_attempts FROM one_time_tokens"
                       " WHERE email = ?1 AND purpose = ?2 AND spent_at IS NULL"
                       " AND expires_at > ?3 ORDER BY created_at DESC LIMIT 1");
      if (!q) return failed(std::move(q).error());
      q->bind(1, email).bind(2, name).bind(3, now);
      auto row = q->step();
      if (!row) return failed(std::move(row).error());
      if (!*row) return failed(no_token("no live code"));
      auto token = read_token(*q);
      if (!token) return failed(std::move(token).error());
      const std::string stored = q->text(7);
      const int64_t failures = q->int64(8);
      if (stored == code_hash) {
        if (auto r = spend(c, token->id, now); !r) return failed(std::move(r).error());
        return Written<OneTimeToken>{std::move(token), true};
      }
      // The count is kept although the call fails.
      const bool exhausted = failures + 1 >= max_attempts;
      auto u = c.query(
          "UPDATE one_time_tokens SET failed_attempts = failed_attempts + 1,"
          " spent_at = CASE WHEN ?2 THEN ?3 ELSE spent_at END WHERE id = ?1");
      if (!u) return failed(std::move(u).error());
      if (auto r = u->bind(1, token->id.str()).bind(2, int64_t{exhausted}).bind(3, now).run(); !r)
        return failed(std::move(r).error());
      return Written<OneTimeToken>{
          fail(no_token(exhausted ? std::string(kTokenExhausted) : "wrong code")), true};
    });
  }

  Result<std::optional<core::Micros>> last_mail_at(std::string_view to,
                                                   std::string_view kind) override {
    auto lease = db_.read();
    if (!lease) return fail(std::move(lease).error());
    auto q = (*lease)->query(
        "SELECT max(created_at) FROM mail_outbox WHERE recipient = ?1 AND kind = ?2");
    if (!q) return fail(std::move(q).error());
    q->bind(1, to).bind(2, kind);
    auto row = q->step();
    if (!row) return fail(std::move(row).error());
    return q->opt_int64(0);
  }

  Result<int64_t> mails_queued_since(core::Micros since) override {
    auto lease = db_.read();
    if (!lease) return fail(std::move(lease).error());
    auto q = (*lease)->query("SELECT count(*) FROM mail_outbox WHERE created_at >= ?1");
    if (!q) return fail(std::move(q).error());
    q->bind(1, since);
    auto row = q->step();
    if (!row) return fail(std::move(row).error());
    return q->int64(0);
  }

  Result<std::vector<MailRecord>> claim_due(core::Micros now, core::Micros lease_until,
                                            int limit) override {
    return db_.write([&](Connection& c) -> Result<std::vector<MailRecord>> {
      auto q = c.query(std::string("UPDATE mail_outbox SET lease_until = ?2,"
                                   " attempts = attempts + 1 WHERE id IN (SELECT id FROM"
                                   " mail_outbox WHERE state = 'pending' AND next_attempt_at <= ?1"
                                   " AND (lease_until IS NULL OR lease_until <= ?1)"
                                   " ORDER BY next_attempt_at, created_at LIMIT ?3) RETURNING ") +
                       kMailColumns);
      if (!q) return fail(std::move(q).error());
      q->bind(1, now).bind(2, lease_until).bind(3, int64_t{limit});
      auto mails = read_mails(*q);
      if (!mails) return mails;
      sort_by_due(*mails);
      return mails;
    });
  }

  Result<void> mark_sent(core::Uuid id, core::Micros now) override {
    return db_.write([&](Connection& c) -> Result<void> {
      auto q = c.query(
          "UPDATE mail_outbox SET state = 'sent', sent_at = ?2, lease_until = NULL,"
          " body_text = '', body_html = '', last_error = '' WHERE id = ?1");
      if (!q) return fail(std::move(q).error());
      return q->bind(1, id.str()).bind(2, now).run();
    });
  }

  Result<void> mark_failed(core::Uuid id, std::string error,
                           std::optional<core::Micros> retry_at) override {
    return db_.write([&](Connection& c) -> Result<void> {
      auto q = c.query(
          "UPDATE mail_outbox SET lease_until = NULL, last_error = ?2,"
          " state = CASE WHEN ?3 IS NULL THEN 'dead' ELSE 'pending' END,"
          " next_attempt_at = coalesce(?3, next_attempt_at),"
          " body_text = CASE WHEN ?3 IS NULL THEN '' ELSE body_text END,"
          " body_html = CASE WHEN ?3 IS NULL THEN '' ELSE body_html END WHERE id = ?1");
      if (!q) return fail(std::move(q).error());
      return q->bind(1, id.str()).bind(2, error).bind(3, retry_at).run();
    });
  }

  Result<std::vector<MailRecord>> recent_mail(int limit) override {
    auto lease = db_.read();
    if (!lease) return fail(std::move(lease).error());
    auto q = (*lease)->query(std::string("SELECT ") + kMailColumns +
                             " FROM mail_outbox ORDER BY created_at DESC, id DESC LIMIT ?1");
    if (!q) return fail(std::move(q).error());
    q->bind(1, int64_t{limit});
    return read_mails(*q);
  }

 private:
  SqliteDatabase& db_;
  core::RandomSource& random_;
};

}  // namespace

std::unique_ptr<MailStore> make_mail(SqliteDatabase& db, core::RandomSource& random) {
  return std::make_unique<SqliteMail>(db, random);
}

}  // namespace latchkey::store::sqlite
