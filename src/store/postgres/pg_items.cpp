// ItemStore on PostgreSQL. Every call is one request transaction, sent in one round trip:
// the first statement switches to the role `authenticated` and sets the owner's claims
// (both transaction-local), the second is the item statement. Row-level security on
// public.user_data then confines the statement to the owner's rows, whatever its text; the
// statements filter on user_id = $1 as well, so the index is used and a policy mistake
// would not leak rows on its own.
#include <algorithm>

#include "store/postgres/pg_database.hpp"
#include "store/text_rules.hpp"

namespace latchkey::store::postgres {
namespace {

const std::string kItemColumns = "id, user_id, title, content, metadata::text, " +
                                 micros_col("created_at") + ", " + micros_col("updated_at");

const Statement kInsertItem{
    "lk_insert_item",
    "INSERT INTO public.user_data (id, user_id, title, content, metadata, created_at, updated_at)"
    " VALUES ($2, $1, $3, $4, $5::jsonb, " +
        ts_param("$6") + ", " + ts_param("$6") + ") RETURNING " + kItemColumns};
const Statement kListItems{"lk_list_items",
                           "SELECT " + kItemColumns +
                               " FROM public.user_data WHERE user_id = $1"
                               " ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"};
const Statement kGetItem{
    "lk_get_item",
    "SELECT " + kItemColumns + " FROM public.user_data WHERE user_id = $1 AND id = $2"};
// A NULL title or content keeps the stored one; metadata has its own flag ($5) because NULL
// is a value it can be set to (clear_metadata). The trigger turns updated_at into
// max($7, old + 1us).
const Statement kUpdateItem{
    "lk_update_item",
    "UPDATE public.user_data SET title = coalesce($3, title), content = coalesce($4, content),"
    " metadata = CASE WHEN $5::bool THEN $6::jsonb ELSE metadata END,"
    " updated_at = " +
        ts_param("$7") + " WHERE user_id = $1 AND id = $2 RETURNING " + kItemColumns};
const Statement kDeleteItem{"lk_delete_item",
                            "DELETE FROM public.user_data WHERE user_id = $1 AND id = $2"};

// jsonb prints `{"a": [1, 2]}`; the API (and the SQLite store) use the compact form. Drops
// the whitespace outside strings, which is all jsonb output adds.
std::string compact_json(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool in_string = false, escaped = false;
  for (char ch : s) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (ch == '\\') {
        escaped = true;
      } else if (ch == '"') {
        in_string = false;
      }
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') {
      continue;
    }
    out.push_back(ch);
  }
  return out;
}

Result<ItemRecord> read_item(const PGresult* r, int row) {
  auto id = uuid_col(r, row, 0);
  auto owner = uuid_col(r, row, 1);
  if (!id || !owner) return fail(corrupt_row("user_data.id/user_id"));
  auto metadata = opt_text(r, row, 4);
  if (metadata) *metadata = compact_json(*metadata);
  return ItemRecord{ItemId{*id},         UserId{*owner},   text(r, row, 2), text(r, row, 3),
                    std::move(metadata), int64(r, row, 5), int64(r, row, 6)};
}

Error item_not_found() { return Error::of(Errc::not_found, "item not found"); }

Result<ItemRecord> single_item(Result<PgResult> r) {
  if (!r) return fail(std::move(r).error());
  if (PQntuples(r->get()) == 0) return fail(item_not_found());
  return read_item(r->get(), 0);
}

class PgItems final : public ItemStore {
 public:
  explicit PgItems(PgDatabase& db) : db_(db) {}

  Result<ItemRecord> create_item(UserId owner, const NewItem& item, core::Micros now) override {
    // jsonb would refuse it too (22P05); checked first for the same error on every backend.
    if (auto e = nul_in_json(item.metadata_json, "postgres: metadata")) return fail(std::move(*e));
    auto r = db_.run_as(owner, kInsertItem,
                        Params{owner.str(), item.id.str(), item.title, item.content,
                               item.metadata_json, std::to_string(now)});
    if (!r) return fail(std::move(r).error());
    return single_item(std::move(r));
  }

  Result<std::vector<ItemRecord>> list_items(UserId owner, int limit, int offset) override {
    if (limit < 0 || offset < 0)
      return fail(Error::of(Errc::invalid_input, "limit and offset must not be negative"));
    auto r = db_.run_as(owner, kListItems,
                        Params{owner.str(), std::to_string(limit), std::to_string(offset)});
    if (!r) return fail(std::move(r).error());
    const int rows = PQntuples(r->get());
    std::vector<ItemRecord> items;
    items.reserve(static_cast<size_t>(rows));
    for (int i = 0; i < rows; ++i) {
      auto item = read_item(r->get(), i);
      if (!item) return fail(std::move(item).error());
      items.push_back(std::move(*item));
    }
    return items;
  }

  Result<ItemRecord> get_item(UserId owner, ItemId id) override {
    return single_item(db_.run_as(owner, kGetItem, Params{owner.str(), id.str()}));
  }

  Result<ItemRecord> update_item(UserId owner, ItemId id, const ItemPatch& patch,
                                 core::Micros now) override {
    if (auto e = nul_in_json(patch.metadata_json, "postgres: metadata")) return fail(std::move(*e));
    return single_item(db_.run_as(
        owner, kUpdateItem,
        Params{owner.str(), id.str(), patch.title, patch.content,
               patch.metadata_json || patch.clear_metadata ? "true" : "false",
               patch.clear_metadata ? std::nullopt : patch.metadata_json, std::to_string(now)}));
  }

  Result<void> delete_item(UserId owner, ItemId id) override {
    auto r = db_.run_as(owner, kDeleteItem, Params{owner.str(), id.str()});
    if (!r) return fail(std::move(r).error());
    if (affected_rows(r->get()) == 0) return fail(item_not_found());
    return {};
  }

 private:
  PgDatabase& db_;
};

}  // namespace

std::unique_ptr<ItemStore> make_items(PgDatabase& db) { return std::make_unique<PgItems>(db); }

}  // namespace latchkey::store::postgres
