// ItemStore on SQLite. Every statement here names the TEMP view `user_data` (never the base
// table) and runs inside an OwnerScope, so the owner filter is enforced twice: by the
// `user_id = ?1` each statement carries and by the view/triggers/authorizer underneath.
#include <algorithm>

#include "store/sqlite/sqlite_database.hpp"
#include "store/text_rules.hpp"

namespace latchkey::store::sqlite {
namespace {

constexpr std::string_view kSelectOne =
    "SELECT id, user_id, title, content, metadata, created_at, updated_at FROM user_data"
    " WHERE user_id = ?1 AND id = ?2";

Result<ItemRecord> read_item(const Query& q) {
  auto id = parse_uuid_column(q, 0);
  auto owner = parse_uuid_column(q, 1);
  if (!id || !owner) return fail(corrupt_row("user_data.id/user_id"));
  return ItemRecord{ItemId{*id},   UserId{*owner}, q.text(2), q.text(3),
                    q.opt_text(4), q.int64(5),     q.int64(6)};
}

Error item_not_found() { return Error::of(Errc::not_found, "item not found"); }

Result<ItemRecord> select_item(Connection& c, UserId owner, ItemId id) {
  auto q = c.query(kSelectOne);
  if (!q) return fail(std::move(q).error());
  q->bind(1, owner.str()).bind(2, id.str());
  auto row = q->step();
  if (!row) return fail(std::move(row).error());
  if (!*row) return fail(item_not_found());
  return read_item(*q);
}

// The write jobs below run on the group-commit writer's connection, each inside its own
// savepoint of the batch transaction (so update's read-then-write sees no other writer in
// between), and each under an OwnerScope: the writer's connection carries the same owner
// views, triggers and authorizer as the pooled ones, and the scope ends with the job, so
// the next job in the batch never runs as this owner.

Result<ItemRecord> insert_item(Connection& c, const ItemRecord& rec) {
  OwnerScope scope(c, rec.user_id);
  auto q = c.query(
      "INSERT INTO user_data(id, user_id, title, content, metadata, created_at, updated_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!q) return fail(std::move(q).error());
  q->bind(1, rec.id.str()).bind(2, rec.user_id.str()).bind(3, rec.title).bind(4, rec.content);
  q->bind(5, rec.metadata_json).bind(6, rec.created_at).bind(7, rec.updated_at);
  if (auto r = q->run(); !r) return fail(std::move(r).error());
  return rec;
}

Result<ItemRecord> patch_item(Connection& c, UserId owner, ItemId id, const ItemPatch& patch,
                              core::Micros now) {
  OwnerScope scope(c, owner);
  auto item = select_item(c, owner, id);
  if (!item) return item;
  if (patch.title) item->title = *patch.title;
  if (patch.content) item->content = *patch.content;
  if (patch.clear_metadata) {
    item->metadata_json.reset();
  } else if (patch.metadata_json) {
    item->metadata_json = patch.metadata_json;
  }
  // Strictly increasing, even for two updates within one clock tick, so clients can use
  // updated_at to tell versions apart.
  item->updated_at = std::max(now, item->updated_at + 1);

  auto q = c.query(
      "UPDATE user_data SET title = ?3, content = ?4, metadata = ?5, updated_at = ?6"
      " WHERE user_id = ?1 AND id = ?2");
  if (!q) return fail(std::move(q).error());
  q->bind(1, owner.str()).bind(2, id.str()).bind(3, item->title).bind(4, item->content);
  q->bind(5, item->metadata_json).bind(6, item->updated_at);
  // sqlite3_changes() does not count rows written inside INSTEAD OF triggers; the
  // connection's total (which does) tells whether the trigger really wrote the row.
  const int64_t before = c.total_changes();
  if (auto r = q->run(); !r) return fail(std::move(r).error());
  if (c.total_changes() - before != 1) return fail(item_not_found());
  return item;
}

Result<void> remove_item(Connection& c, UserId owner, ItemId id) {
  OwnerScope scope(c, owner);
  auto q = c.query("DELETE FROM user_data WHERE user_id = ?1 AND id = ?2");
  if (!q) return fail(std::move(q).error());
  const int64_t before = c.total_changes();
  if (auto r = q->bind(1, owner.str()).bind(2, id.str()).run(); !r) return r;
  if (c.total_changes() - before == 0) return fail(item_not_found());
  return {};
}

class SqliteItems final : public ItemStore {
 public:
  explicit SqliteItems(SqliteDatabase& db) : db_(db) {}

  Result<ItemRecord> create_item(UserId owner, const NewItem& item, core::Micros now) override {
    if (auto e = nul_in_json(item.metadata_json, "sqlite: metadata")) return fail(std::move(*e));
    ItemRecord rec{item.id, owner, item.title, item.content, item.metadata_json, now, now};
    return db_.write([&](Connection& c) { return insert_item(c, rec); });
  }

  Result<std::vector<ItemRecord>> list_items(UserId owner, int limit, int offset) override {
    if (limit < 0 || offset < 0)
      return fail(Error::of(Errc::invalid_input, "limit and offset must not be negative"));
    auto lease = db_.read();
    if (!lease) return fail(std::move(lease).error());
    OwnerScope scope(**lease, owner);
    // Served by the index (user_id, created_at DESC, id DESC): no sort step.
    auto q = (*lease)->query(
        "SELECT id, user_id, title, content, metadata, created_at, updated_at FROM user_data"
        " WHERE user_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2 OFFSET ?3");
    if (!q) return fail(std::move(q).error());
    q->bind(1, owner.str()).bind(2, int64_t{limit}).bind(3, int64_t{offset});
    std::vector<ItemRecord> items;
    items.reserve(static_cast<size_t>(std::min(limit, 1000)));
    for (;;) {
      auto row = q->step();
      if (!row) return fail(std::move(row).error());
      if (!*row) break;
      auto item = read_item(*q);
      if (!item) return fail(std::move(item).error());
      items.push_back(std::move(*item));
    }
    return items;
  }

  Result<ItemRecord> get_item(UserId owner, ItemId id) override {
    auto lease = db_.read();
    if (!lease) return fail(std::move(lease).error());
    OwnerScope scope(**lease, owner);
    return select_item(**lease, owner, id);
  }

  Result<ItemRecord> update_item(UserId owner, ItemId id, const ItemPatch& patch,
                                 core::Micros now) override {
    if (auto e = nul_in_json(patch.metadata_json, "sqlite: metadata")) return fail(std::move(*e));
    return db_.write([&](Connection& c) { return patch_item(c, owner, id, patch, now); });
  }

  Result<void> delete_item(UserId owner, ItemId id) override {
    return db_.write([&](Connection& c) { return remove_item(c, owner, id); });
  }

 private:
  SqliteDatabase& db_;
};

}  // namespace

std::unique_ptr<ItemStore> make_items(SqliteDatabase& db) {
  return std::make_unique<SqliteItems>(db);
}

}  // namespace latchkey::store::sqlite
