#pragma once
#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/error.hpp"
#include "store/bounded_pool.hpp"
#include "store/statement_observer.hpp"

namespace latchkey::store::postgres {

struct PgResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultFree>;

// A statement prepared once per connection under `name` and executed by name afterwards.
// An empty name means "not prepared": `sql` (one statement) is parsed on every use, for
// one-off statements (migrations, the test hook).
struct Statement {
  std::string name;
  std::string sql;
};

// Text-format parameters; nullopt is SQL NULL. libpq wants NUL-terminated strings, hence
// owned copies.
class Params {
 public:
  Params() = default;
  Params(std::initializer_list<std::optional<std::string>> values) : values_(values) {}
  explicit Params(std::vector<std::optional<std::string>> values) : values_(std::move(values)) {}
  int size() const { return static_cast<int>(values_.size()); }
  // 1-based index of the first value holding a NUL byte, 0 if none. libpq sends text
  // parameters as C strings, so such a value would arrive cut at the NUL.
  int first_with_nul() const;
  std::vector<const char*> pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

struct Step {
  const Statement* statement;
  Params params;
};

// The reply of a statement without rows: how many rows it inserted, updated or deleted.
int64_t affected_rows(const PGresult* r);
// Column `col` of row `row` as text; nullopt for NULL.
std::optional<std::string> opt_text(const PGresult* r, int row, int col);
std::string text(const PGresult* r, int row, int col);
int64_t int64(const PGresult* r, int row, int col);
std::optional<int64_t> opt_int64(const PGresult* r, int row, int col);
// An optional number as a statement parameter (NULL when absent).
std::optional<std::string> opt_micros(const std::optional<int64_t>& t);

// The fields of a server error that say which rule failed, for stores that must tell their
// callers more than the error's class (the data API's rows: column, constraint, key).
struct PgDiagnostics {
  std::string sqlstate;    // e.g. "23502"
  std::string detail;      // e.g. "Key (id)=(...) already exists."
  std::string column;      // NOT NULL violations: the column
  std::string constraint;  // e.g. "user_data_metadata_object"
};

// One libpq connection with its set of prepared statements. Used by one thread at a time
// (the pool hands it out), so it has no lock of its own. Once `broken()`, it must not be
// reused: the pool drops it and opens a fresh one on next use.
class PgConnection {
 public:
  // Fails with Errc::unavailable if the server cannot be reached within connect_timeout_s.
  // statement_timeout_ms (0: none) bounds every statement on this connection. `observer`
  // (tests only) sees the text of every statement sent.
  static Result<std::unique_ptr<PgConnection>> open(const std::string& url, int connect_timeout_s,
                                                    int statement_timeout_ms,
                                                    StatementObserver observer = {});
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Sends all steps and a Sync in one exchange (libpq pipeline mode) and reads their
  // results. Outside BEGIN ... COMMIT the steps form one implicit transaction: it commits at
  // the Sync if every step succeeded, and otherwise the steps after the failing one are
  // skipped and the whole transaction is rolled back. Returns the results in step order,
  // or the first step's error.
  Result<std::vector<PgResult>> pipeline(std::span<const Step> steps);
  // One step on its own (still one round trip).
  Result<PgResult> run(const Statement& statement, Params params = {});
  // For the session; 0: no limit.
  Result<void> set_statement_timeout(int ms);
  // Simple-query text, possibly several statements, no parameters: migrations and setup.
  Result<void> exec_script(const std::string& sql);

  // True once the server is gone or the protocol state is unknown.
  bool broken() const { return broken_ || PQstatus(conn_) != CONNECTION_OK; }
  // True if a transaction is open (or failed) on this connection; a pooled connection must
  // be idle before the next caller gets it.
  bool in_transaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }
  PGconn* raw() const { return conn_; }

  // Driver error -> domain error: connection-class failures are Errc::unavailable (and
  // break the connection), a unique violation is Errc::conflict, values the table refuses
  // Errc::invalid_input, row-level security refusals Errc::forbidden, the rest
  // Errc::internal.
  Error error_from(const PGresult* r);
  // The diagnostics of the error error_from() last turned into an Error (cleared when a
  // pipeline starts).
  const PgDiagnostics& last_error() const { return last_error_; }

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  Result<void> prepare(const Statement& statement);
  Error lost(std::string_view what);

  PGconn* conn_;
  std::unordered_set<std::string> prepared_;
  bool broken_ = false;
  StatementObserver observer_;
  PgDiagnostics last_error_;
};

// Connections are opened on demand; one that broke (server restarted, network gone) is not
// put back, and the next caller opens a fresh one, so the store recovers by itself once the
// server is back.
using ConnectionPool = BoundedPool<PgConnection>;

}  // namespace latchkey::store::postgres
