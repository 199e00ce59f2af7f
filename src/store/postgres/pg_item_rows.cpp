// ItemRowStore on PostgreSQL: each call as one transaction in the scope's role (how the
// scopes are confined: pg_item_rows.hpp), its server errors turned into the interface's
// errors, its rows read back with canonical JSON.
#include "store/postgres/pg_item_rows.hpp"

#include <nlohmann/json.hpp>

#include "store/item_row_errors.hpp"

namespace latchkey::store::postgres {
namespace {

// Security: set_config(..., true) is SET LOCAL, so the role and the claims end with the
// transaction and a pooled connection never carries them into the next call. The role name
// comes from DataRole, never from a request. The login role is a NOINHERIT member of all
// three roles (migration grants), so it holds their rights only inside such a transaction.
const Statement kScope{"lk_rows_scope",
                       "SELECT set_config('role', $1, true),"
                       " set_config('request.jwt.claims', $2, true)"};
// Rows and their count from one snapshot.
const Statement kBeginSnapshot{"lk_rows_begin_snapshot",
                               "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"};

Params scope_params(const DataScope& scope) {
  switch (scope.role) {
    case DataRole::anon: return Params{"anon", "{\"role\":\"anon\"}"};
    case DataRole::authenticated:
      return Params{"authenticated",
                    "{\"sub\":\"" + scope.user.str() + "\",\"role\":\"authenticated\"}"};
    case DataRole::service_role: return Params{"service_role", "{\"role\":\"service_role\"}"};
  }
  return Params{"anon", "{}"};
}

std::optional<core::Uuid> uuid_in(std::string_view detail) {
  // "Key (id)=(<uuid>) already exists." / "Key (user_id)=(<uuid>) is not present ..."
  const auto at = detail.find("=(");
  if (at == std::string_view::npos || detail.size() < at + 2 + 36) return std::nullopt;
  return core::Uuid::parse(detail.substr(at + 2, 36));
}

// The server's error as ItemRowStore promises it (item_rows.hpp, item_row_errors.hpp).
Error row_error(Error e, const PgDiagnostics& d) {
  std::string& log = e.detail;
  if (d.sqlstate == "42501") return row_errors::row_security(std::move(log));
  if (d.sqlstate == "23502") {
    if (auto c = item_column(d.column)) return row_errors::not_null(*c, std::move(log));
  } else if (d.sqlstate == "22001") {
    return row_errors::title_too_long(std::move(log));  // title is the only varchar(n)
  } else if (d.sqlstate == "23514" && d.constraint == "user_data_metadata_object") {
    return row_errors::metadata_not_object(std::move(log));
  } else if (d.sqlstate == "23505") {
    // Under row-level security PostgreSQL leaves the key out of DETAIL (pg_row_keys.cpp).
    return row_errors::duplicate_id(uuid_in(d.detail), std::move(log));
  } else if (d.sqlstate == "23503") {
    return row_errors::unknown_user(uuid_in(d.detail), std::move(log));
  } else if (d.sqlstate == "21000") {
    return row_errors::upsert_row_twice(std::move(log));
  }
  return e;
}

// jsonb prints its own key order and spacing; the API's JSON is canonical (JsonText), which
// is what SQLite stores, so both backends return the same text.
Result<std::optional<std::string>> canonical_json(std::optional<std::string> text) {
  if (!text) return text;
  auto parsed = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return fail(corrupt_row("user_data.metadata"));
  return std::optional<std::string>(
      parsed.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

Result<std::vector<PgResult>> run_rows(PgDatabase& db, const DataScope& scope,
                                     const std::vector<RowStatement>& statements,
                                     Ending ending, WriteOptions options) {
  auto lease = db.connection();
  if (!lease) return fail(std::move(lease).error());
  PgConnection& c = **lease;
  std::vector<Step> steps;
  if (ending == Ending::snapshot) steps.push_back(Step{&kBeginSnapshot, {}});
  if (ending == Ending::guarded || ending == Ending::dry_run) steps.push_back(Step{&kBegin, {}});
  steps.push_back(Step{&kScope, scope_params(scope)});
  const size_t first = steps.size();
  for (const RowStatement& s : statements) steps.push_back(Step{&s.statement, s.params});
  if (ending == Ending::snapshot) steps.push_back(Step{&kCommit, {}});

  auto results = c.pipeline(steps);
  if (!results) {
    Error e = row_error(std::move(results).error(), c.last_error());
    // An explicit transaction stays open (failed) after an error; end it here so the
    // connection goes back to the pool clean.
    if (!c.broken() && c.in_transaction()) (void)c.exec_script("ROLLBACK");
    return fail(std::move(e));
  }
  std::vector<PgResult> out;
  for (size_t i = first; i < first + statements.size(); ++i) out.push_back(std::move((*results)[i]));
  if (ending == Ending::guarded || ending == Ending::dry_run) {
    // PostgREST's .single() and max-affected on a write: the rows it allows, or nothing
    // happened.
    const bool keep = ending == Ending::guarded &&
                      options.keeps(static_cast<size_t>(PQntuples(out.back().get())));
    if (auto r = c.exec_script(keep ? "COMMIT" : "ROLLBACK"); !r) return fail(std::move(r).error());
  }
  return out;
}

Result<std::vector<ItemRecord>> read_rows(const PGresult* r) {
  std::vector<ItemRecord> rows;
  const int n = PQntuples(r);
  rows.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto id = uuid_col(r, i, 0);
    auto owner = uuid_col(r, i, 1);
    if (!id || !owner) return fail(corrupt_row("user_data.id/user_id"));
    auto metadata = canonical_json(opt_text(r, i, 4));
    if (!metadata) return fail(std::move(metadata).error());
    rows.push_back(ItemRecord{ItemId{*id}, UserId{*owner}, text(r, i, 2), text(r, i, 3),
                              std::move(*metadata), int64(r, i, 5), int64(r, i, 6)});
  }
  return rows;
}

namespace {

class PgItemRows final : public ItemRowStore {
 public:
  PgItemRows(PgDatabase& db, core::RandomSource& random) : db_(db), random_(random) {}

  Result<RowsResult> select_rows(const DataScope& scope, const ItemQuery& query) override {
    auto rows = select_statement(scope, query);
    if (!rows) return fail(std::move(rows).error());
    std::vector<RowStatement> statements;
    if (query.count) {
      auto count = count_statement(scope, query.where);
      if (!count) return fail(std::move(count).error());
      statements.push_back(std::move(*count));
    }
    statements.push_back(std::move(*rows));
    auto results = run_rows(db_, scope, statements, query.count ? Ending::snapshot : Ending::implicit);
    if (!results) return fail(std::move(results).error());
    RowsResult out;
    if (query.count) out.total = int64(results->front().get(), 0, 0);
    auto read = read_rows(results->back().get());
    if (!read) return fail(std::move(read).error());
    out.rows = std::move(*read);
    return out;
  }

  Result<RowsResult> insert_rows(const DataScope& scope, const std::vector<ItemValues>& rows,
                                 const std::optional<Upsert>& upsert, WriteOptions options,
                                 core::Micros now) override {
    for (const ItemValues& row : rows)
      if (auto r = check_values(row); !r) return fail(std::move(r).error());
    if (upsert && upsert->on_conflict != std::vector<ItemColumn>{ItemColumn::id})
      return fail(row_errors::bad_query(
          ErrorCode::invalid_conflict_target,
          "there is no unique or exclusion constraint matching the ON CONFLICT specification"));
    // No VALUES list can be empty: nothing to write, nothing to run.
    if (rows.empty()) return write_result({}, options);
    std::vector<core::Uuid> ids;
    ids.reserve(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) ids.push_back(core::Uuid::random_v4(random_));
    auto statement = insert_statement(scope, rows, ids, upsert, now);
    if (!statement) return fail(std::move(statement).error());
    auto written = write(scope, std::move(*statement), options);
    if (!written) return fail(with_insert_key(db_, std::move(written).error(), scope, rows, ids, now));
    return written;
  }

  Result<RowsResult> update_rows(const DataScope& scope, const FilterGroup& where,
                                 const ItemValues& values, WriteOptions options,
                                 core::Micros now) override {
    auto statement = update_statement(scope, where, values, now);
    if (!statement) return fail(std::move(statement).error());
    auto written = write(scope, std::move(*statement), options);
    if (!written) return fail(with_update_key(std::move(written).error(), values));
    return written;
  }

  Result<RowsResult> delete_rows(const DataScope& scope, const FilterGroup& where,
                                 WriteOptions options) override {
    auto statement = delete_statement(scope, where);
    if (!statement) return fail(std::move(statement).error());
    return write(scope, std::move(*statement), options);
  }

 private:
  static Result<RowsResult> write_result(std::vector<ItemRecord> rows, WriteOptions options) {
    RowsResult out{std::move(rows), std::nullopt, false};
    out.rolled_back = !options.keeps(out.rows.size());
    return out;
  }

  Result<RowsResult> write(const DataScope& scope, RowStatement statement, WriteOptions options) const {
    std::vector<RowStatement> statements;
    statements.push_back(std::move(statement));
    auto results = run_rows(db_, scope, statements,
                            options.guarded() ? Ending::guarded : Ending::implicit, options);
    if (!results) return fail(std::move(results).error());
    auto rows = read_rows(results->back().get());
    if (!rows) return fail(std::move(rows).error());
    return write_result(std::move(*rows), options);
  }

  PgDatabase& db_;
  core::RandomSource& random_;
};

}  // namespace

std::unique_ptr<ItemRowStore> make_rows(PgDatabase& db, core::RandomSource& random) {
  return std::make_unique<PgItemRows>(db, random);
}

}  // namespace latchkey::store::postgres
