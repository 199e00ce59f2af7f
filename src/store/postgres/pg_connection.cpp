#include "store/postgres/pg_connection.hpp"

#include "store/text_rules.hpp"

#include <charconv>
#include <cstring>

#include "core/log.hpp"

namespace latchkey::store::postgres {
namespace {

std::string trimmed(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Server notices ("schema already exists, skipping") go to the debug log, not to stderr.
void log_notice(void*, const char* message) {
  if (core::log_enabled(core::LogLevel::debug))
    core::log_event(core::LogLevel::debug, "postgres notice", {{"message", trimmed(message)}});
}

bool starts_with(const char* s, const char* prefix) {
  return s && std::strncmp(s, prefix, std::strlen(prefix)) == 0;
}

Error unavailable(std::string detail) {
  return Error::of(Errc::unavailable, "postgres: " + std::move(detail));
}

}  // namespace

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

int Params::first_with_nul() const {
  for (size_t i = 0; i < values_.size(); ++i) {
    if (values_[i] && values_[i]->find('\0') != std::string::npos) return static_cast<int>(i + 1);
  }
  return 0;
}

int64_t affected_rows(const PGresult* r) {
  const char* n = PQcmdTuples(const_cast<PGresult*>(r));
  int64_t v = 0;
  if (n && *n) std::from_chars(n, n + std::strlen(n), v);
  return v;
}

std::optional<std::string> opt_text(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return std::nullopt;
  return std::string(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
}

std::optional<int64_t> opt_int64(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return std::nullopt;
  return int64(r, row, col);
}

std::optional<std::string> opt_micros(const std::optional<int64_t>& t) {
  if (!t) return std::nullopt;
  return std::to_string(*t);
}

std::string text(const PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
}

int64_t int64(const PGresult* r, int row, int col) {
  const char* v = PQgetvalue(r, row, col);
  int64_t out = 0;
  std::from_chars(v, v + PQgetlength(r, row, col), out);
  return out;
}

Result<std::unique_ptr<PgConnection>> PgConnection::open(const std::string& url,
                                                         int connect_timeout_s,
                                                         int statement_timeout_ms,
                                                         StatementObserver observer) {
  const std::string timeout = std::to_string(connect_timeout_s);
  // Later entries override earlier ones, including what the URL says. The application name
  // and the TCP keepalives are defaults; the keepalives notice a server that vanished
  // without closing the connection (power loss, partition) within ~15 s instead of the
  // kernel's two hours. The connect timeout and the client encoding are ours: UTF8 because
  // every text the API hands over is UTF-8.
  const char* keys[] = {
      "application_name", "keepalives_idle", "keepalives_interval", "keepalives_count",
      "dbname",           "connect_timeout", "client_encoding",     nullptr};
  const char* values[] = {"latchkey", "5", "3", "3", url.c_str(), timeout.c_str(), "UTF8", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!conn) return fail(unavailable("out of memory creating a connection"));
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return fail(unavailable("connect: " + msg));
  }
  PQsetNoticeProcessor(conn, log_notice, nullptr);
  std::unique_ptr<PgConnection> c(new PgConnection(conn));
  c->observer_ = std::move(observer);
  if (auto r = c->set_statement_timeout(statement_timeout_ms); !r)
    return fail(std::move(r).error());
  return c;
}

Result<void> PgConnection::set_statement_timeout(int ms) {
  // A statement stuck behind someone else's lock fails (SQLSTATE 57014, unavailable) instead
  // of holding a worker thread forever.
  return exec_script("SET statement_timeout = " + std::to_string(ms > 0 ? ms : 0));
}

PgConnection::~PgConnection() { PQfinish(conn_); }

Error PgConnection::lost(std::string_view what) {
  broken_ = true;
  return unavailable(std::string(what) + ": " + trimmed(PQerrorMessage(conn_)));
}

Error PgConnection::error_from(const PGresult* r) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  auto field = [&](int code) {
    const char* v = r ? PQresultErrorField(r, code) : nullptr;
    return std::string(v ? v : "");
  };
  last_error_ = PgDiagnostics{field(PG_DIAG_SQLSTATE), field(PG_DIAG_MESSAGE_DETAIL),
                              field(PG_DIAG_COLUMN_NAME), field(PG_DIAG_CONSTRAINT_NAME)};
  std::string msg = trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
  // No SQLSTATE means libpq itself failed (lost connection, out of memory): the protocol
  // state is unknown, so the connection is not reused. Class 08 is a connection exception;
  // 57P01..57P03 are admin shutdown, crash shutdown and "cannot connect now" (starting up).
  if (!state || starts_with(state, "08") || starts_with(state, "57P") ||
      PQstatus(conn_) != CONNECTION_OK) {
    broken_ = true;
    return unavailable(state ? std::string(state) + ": " + msg : msg);
  }
  std::string detail = "postgres: SQLSTATE " + std::string(state) + ": " + msg;
  // 53xxx: out of connections, memory or disk; 40001/40P01: serialization failure and
  // deadlock. All may pass if the caller tries again later.
  // 57014: statement_timeout expired (or the query was cancelled).
  if (starts_with(state, "53") || std::strcmp(state, "40001") == 0 ||
      std::strcmp(state, "40P01") == 0 || std::strcmp(state, "57014") == 0)
    return Error::of(Errc::unavailable, std::move(detail));
  if (std::strcmp(state, "23505") == 0)
    return Error::of(Errc::conflict, std::move(detail));
  // 22001: longer than the column allows (title is varchar(255)). 22P05 and 22021: text
  // PostgreSQL cannot store (\u0000 in jsonb, invalid UTF-8), which SQLite would accept.
  if (std::strcmp(state, "22001") == 0)
    return Error::of(Errc::invalid_input, std::move(detail));
  if (std::strcmp(state, "22P05") == 0 || std::strcmp(state, "22021") == 0)
    return Error::of(Errc::invalid_input, std::move(detail));
  // 23502, 23514: a value the table refuses (NOT NULL, user_data's metadata rule). 42501: a
  // row-level security policy (or a missing grant) refused the row.
  if (std::strcmp(state, "23502") == 0 || std::strcmp(state, "23514") == 0)
    return Error::of(Errc::invalid_input, std::move(detail));
  if (std::strcmp(state, "42501") == 0) return Error::of(Errc::forbidden, std::move(detail));
  return Error::of(Errc::internal, std::move(detail));
}

Result<void> PgConnection::prepare(const Statement& statement) {
  if (statement.name.empty() || prepared_.count(statement.name)) return {};
  PgResult r(PQprepare(conn_, statement.name.c_str(), statement.sql.c_str(), 0, nullptr));
  if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) return fail(error_from(r.get()));
  prepared_.insert(statement.name);
  return {};
}

Result<std::vector<PgResult>> PgConnection::pipeline(std::span<const Step> steps) {
  if (broken()) return fail(unavailable("connection is broken"));
  last_error_ = {};
  // Refused before anything is sent: the rest of the pipeline must not run without it.
  for (const Step& step : steps) {
    if (const int at = step.params.first_with_nul()) {
      return fail(nul_in_text("postgres: parameter " + std::to_string(at)));
    }
  }
  for (const Step& step : steps)
    if (auto r = prepare(*step.statement); !r) return fail(std::move(r).error());

  if (!PQenterPipelineMode(conn_)) return fail(lost("enter pipeline mode"));
  for (const Step& step : steps) {
    const Statement& st = *step.statement;
    if (observer_) observer_(st.sql);
    const auto values = step.params.pointers();
    const int sent = st.name.empty()
                         ? PQsendQueryParams(conn_, st.sql.c_str(), step.params.size(), nullptr,
                                             values.data(), nullptr, nullptr, 0)
                         : PQsendQueryPrepared(conn_, st.name.c_str(), step.params.size(),
                                               values.data(), nullptr, nullptr, 0);
    // Half a pipeline may have been queued: the protocol state is unknown.
    if (!sent) return fail(lost("send"));
  }
  if (!PQpipelineSync(conn_)) return fail(lost("sync"));

  std::vector<PgResult> results;
  results.reserve(steps.size());
  std::optional<Error> first_error;
  for (size_t i = 0; i < steps.size(); ++i) {
    PgResult r(PQgetResult(conn_));
    if (!r || PQstatus(conn_) != CONNECTION_OK) return fail(lost("read"));
    const ExecStatusType status = PQresultStatus(r.get());
    if (status == PGRES_PIPELINE_ABORTED) {
      if (!first_error)
        first_error = Error::of(Errc::internal, "postgres: pipeline aborted");
    } else if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      if (!first_error) first_error = error_from(r.get());
      if (broken_) return fail(std::move(*first_error));
    }
    results.push_back(std::move(r));
    // Each statement's results end with a NULL.
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  }
  PgResult sync(PQgetResult(conn_));
  if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) return fail(lost("no sync"));
  if (!PQexitPipelineMode(conn_)) return fail(lost("exit pipeline mode"));
  if (first_error) return fail(std::move(*first_error));
  return results;
}

Result<PgResult> PgConnection::run(const Statement& statement, Params params) {
  const Step step{&statement, std::move(params)};
  auto results = pipeline(std::span<const Step>(&step, 1));
  if (!results) return fail(std::move(results).error());
  return std::move((*results)[0]);
}

Result<void> PgConnection::exec_script(const std::string& sql) {
  if (broken()) return fail(unavailable("connection is broken"));
  if (observer_) observer_(sql);
  PgResult r(PQexec(conn_, sql.c_str()));
  const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return fail(error_from(r.get()));
  return {};
}

}  // namespace latchkey::store::postgres
