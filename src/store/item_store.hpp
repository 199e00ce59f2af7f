#pragma once
#include <vector>

#include "core/error.hpp"
#include "store/records.hpp"

namespace latchkey::store {

// One user's own items. Every method takes the owner first; backends enforce the owner
// below the query text as well (SQLite: per-connection views; PostgreSQL: row-level
// security), so a query that forgot its filter still sees only the owner's rows.
class ItemStore {
 public:
  virtual ~ItemStore() = default;
  virtual Result<ItemRecord> create_item(UserId owner, const NewItem& item, core::Micros now) = 0;
  // Newest first (created_at, then id, descending).
  virtual Result<std::vector<ItemRecord>> list_items(UserId owner, int limit, int offset) = 0;
  // not_found if absent or owned by another user.
  virtual Result<ItemRecord> get_item(UserId owner, ItemId id) = 0;
  // not_found if absent or owned by another user. updated_at becomes max(now, old + 1us).
  virtual Result<ItemRecord> update_item(UserId owner, ItemId id, const ItemPatch& patch,
                                         core::Micros now) = 0;
  // not_found if absent or owned by another user.
  virtual Result<void> delete_item(UserId owner, ItemId id) = 0;
};

}  // namespace latchkey::store
