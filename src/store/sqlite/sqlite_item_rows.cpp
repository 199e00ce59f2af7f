// ItemRowStore on SQLite: the class, its reads, and what the write jobs share. How each scope
// is confined: sqlite_item_rows.hpp.
#include "store/sqlite/sqlite_item_rows.hpp"

#include "store/item_row_errors.hpp"
#include "store/sqlite/sqlite_row_rules.hpp"

namespace latchkey::store::sqlite {

std::string SqliteDialect::param(int index, ColumnType /*type*/) const {
  // Every type is stored as it is bound: uuid and JSON as text, timestamps as integers.
  return "?" + std::to_string(index);
}

std::string SqliteDialect::int_param(int index) const { return "?" + std::to_string(index); }

// BINARY collation (SQLite's default) compares UTF-8 bytewise, which is code point order.
std::string SqliteDialect::compared(ItemColumn c) const { return std::string(column_name(c)); }

std::string SqliteDialect::like(const std::string& text, const std::string& pattern,
                                bool icase) const {
  return "pg_like(" + text + ", " + pattern + (icase ? ", 1)" : ", 0)");
}

std::string SqliteDialect::is_distinct(const std::string& a, const std::string& b) const {
  return a + " IS NOT " + b;
}

Result<RowSource> row_source(const DataScope& scope, SqlBuilder& b) {
  if (scope.role == DataRole::service_role) return RowSource{"main.user_data_all", ""};
  if (scope.role != DataRole::authenticated)
    return fail(Error::of(Errc::internal, "sqlite: no row source for anon"));
  auto owner = b.bind(ColumnType::uuid, scope.user.str());
  if (!owner) return fail(std::move(owner).error());
  return RowSource{"user_data", "user_id = " + *owner + " AND "};
}

void bind_all(Query& q, const std::vector<SqlParam>& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    const int at = static_cast<int>(i + 1);
    if (const auto* s = std::get_if<std::string>(&params[i])) {
      q.bind(at, *s);
    } else if (const auto* n = std::get_if<int64_t>(&params[i])) {
      q.bind(at, *n);
    } else {
      q.bind(at, std::optional<std::string>());
    }
  }
}

Result<ItemRecord> read_row(const Query& q) {
  auto id = parse_uuid_column(q, 0);
  auto owner = parse_uuid_column(q, 1);
  if (!id || !owner) return fail(corrupt_row("user_data.id/user_id"));
  return ItemRecord{ItemId{*id},   UserId{*owner}, q.text(2), q.text(3),
                    q.opt_text(4), q.int64(5),     q.int64(6)};
}

Result<std::vector<ItemRecord>> read_rows(Query& q) {
  std::vector<ItemRecord> rows;
  for (;;) {
    auto more = q.step();
    if (!more) return fail(std::move(more).error());
    if (!*more) return rows;
    auto row = read_row(q);
    if (!row) return fail(std::move(row).error());
    rows.push_back(std::move(*row));
  }
}

Result<std::vector<ItemRecord>> matching_rows(Connection& c, const DataScope& scope,
                                              const FilterGroup& where) {
  SqliteDialect d;
  SqlBuilder b(d);
  auto source = row_source(scope, b);
  if (!source) return fail(std::move(source).error());
  auto cond = b.where(where);
  if (!cond) return fail(std::move(cond).error());
  const std::string sql = "SELECT " + std::string(kRowColumns) + " FROM " + source->table +
                          " WHERE " + source->owner_condition + "(" + *cond + ") ORDER BY id";
  auto q = c.prepare_once(sql);
  if (!q) return fail(std::move(q).error());
  bind_all(**q, b.params());
  return read_rows(**q);
}

Written<RowsResult> finish_write(RowsResult rows, WriteOptions options) {
  if (!options.keeps(rows.rows.size())) {
    rows.rolled_back = true;
    return {std::move(rows), false};  // the savepoint is rolled back: nothing changed
  }
  return {std::move(rows), true};
}

namespace {

// One snapshot for the rows and their count: a deferred read transaction on the pooled
// connection (WAL readers never block the writer). Ended on every path.
class ReadTxn {
 public:
  explicit ReadTxn(Connection& c) : c_(c) {}
  ~ReadTxn() {
    if (!sqlite3_get_autocommit(c_.db())) (void)c_.exec("ROLLBACK");
  }
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;
  Result<void> begin() { return c_.exec("BEGIN"); }

 private:
  Connection& c_;
};

struct SelectSql {
  std::string rows, count;
  std::vector<SqlParam> row_params, count_params;
};

// Compiled before the scope is looked at, so a malformed query is refused alike for all.
Result<SelectSql> compile_select(const DataScope& scope, const ItemQuery& query) {
  SqliteDialect d;
  SqlBuilder rows(d), count(d);
  const DataScope as = scope.role == DataRole::anon ? DataScope{DataRole::service_role, {}} : scope;
  auto source = row_source(as, rows);
  if (!source) return fail(std::move(source).error());
  auto where = rows.where(query.where);
  if (!where) return fail(std::move(where).error());
  auto range = rows.range(query.limit, query.offset);
  if (!range) return fail(std::move(range).error());
  SelectSql out;
  out.rows = "SELECT " + std::string(kRowColumns) + " FROM " + source->table + " WHERE " +
             source->owner_condition + "(" + *where + ")" + rows.order_by(query.order) + *range;
  if (query.count) {
    auto count_source = row_source(as, count);
    if (!count_source) return fail(std::move(count_source).error());
    auto count_where = count.where(query.where);
    if (!count_where) return fail(std::move(count_where).error());
    out.count = "SELECT count(*) FROM " + count_source->table + " WHERE " +
                count_source->owner_condition + "(" + *count_where + ")";
  }
  out.row_params = std::move(rows.params());
  out.count_params = std::move(count.params());
  return out;
}

class SqliteItemRows final : public ItemRowStore {
 public:
  SqliteItemRows(SqliteDatabase& db, core::RandomSource& random) : db_(db), random_(random) {}

  Result<RowsResult> select_rows(const DataScope& scope, const ItemQuery& query) override {
    auto sql = compile_select(scope, query);
    if (!sql) return fail(std::move(sql).error());
    RowsResult out;
    if (query.count) out.total = 0;
    if (scope.role == DataRole::anon) return out;  // no policy lets anon see a row

    auto lease = db_.read();
    if (!lease) return fail(std::move(lease).error());
    Connection& c = **lease;
    std::optional<OwnerScope> owner;
    if (scope.role == DataRole::authenticated) owner.emplace(c, scope.user);
    ReadTxn txn(c);
    if (query.count) {
      if (auto r = txn.begin(); !r) return fail(std::move(r).error());
      auto q = c.prepare_once(sql->count);
      if (!q) return fail(std::move(q).error());
      bind_all(**q, sql->count_params);
      auto row = (*q)->step();
      if (!row) return fail(std::move(row).error());
      out.total = (*q)->int64(0);
    }
    auto q = c.prepare_once(sql->rows);
    if (!q) return fail(std::move(q).error());
    bind_all(**q, sql->row_params);
    auto rows = read_rows(**q);
    if (!rows) return fail(std::move(rows).error());
    out.rows = std::move(*rows);
    return out;
  }

  Result<RowsResult> insert_rows(const DataScope& scope, const std::vector<ItemValues>& rows,
                                 const std::optional<Upsert>& upsert, WriteOptions options,
                                 core::Micros now) override {
    for (const ItemValues& row : rows)
      if (auto r = check_values(row); !r) return fail(std::move(r).error());
    for (const ItemValues& row : rows)
      if (auto r = check_title_length(row); !r) return fail(std::move(r).error());
    if (upsert && upsert->on_conflict != std::vector<ItemColumn>{ItemColumn::id})
      return fail(row_errors::bad_query(
          ErrorCode::invalid_conflict_target,
          "there is no unique or exclusion constraint matching the ON CONFLICT specification"));
    if (rows.empty()) return finish_write({}, options).result;
    // Drawn outside the writer thread: ids for the rows that do not bring their own.
    std::vector<core::Uuid> ids;
    ids.reserve(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) ids.push_back(core::Uuid::random_v4(random_));
    return db_.write([&](Connection& c) {
      return insert_job(c, scope, rows, ids, upsert, options, now);
    });
  }

  Result<RowsResult> update_rows(const DataScope& scope, const FilterGroup& where,
                                 const ItemValues& values, WriteOptions options,
                                 core::Micros now) override {
    if (auto r = check_values(values); !r) return fail(std::move(r).error());
    if (auto r = check_title_length(values); !r) return fail(std::move(r).error());
    if (auto r = validate(where); !r) return fail(std::move(r).error());
    if (scope.role == DataRole::anon) return finish_write({}, options).result;
    return db_.write(
        [&](Connection& c) { return update_job(c, scope, where, values, options, now); });
  }

  Result<RowsResult> delete_rows(const DataScope& scope, const FilterGroup& where,
                                 WriteOptions options) override {
    if (auto r = validate(where); !r) return fail(std::move(r).error());
    if (scope.role == DataRole::anon) return finish_write({}, options).result;
    return db_.write([&](Connection& c) { return delete_job(c, scope, where, options); });
  }

 private:
  // A filter anon's shortcut would not compile is still refused.
  static Result<void> validate(const FilterGroup& where) {
    SqliteDialect d;
    SqlBuilder b(d);
    auto cond = b.where(where);
    if (!cond) return fail(std::move(cond).error());
    return {};
  }

  SqliteDatabase& db_;
  core::RandomSource& random_;
};

}  // namespace

std::unique_ptr<ItemRowStore> make_rows(SqliteDatabase& db, core::RandomSource& random) {
  return std::make_unique<SqliteItemRows>(db, random);
}

}  // namespace latchkey::store::sqlite
