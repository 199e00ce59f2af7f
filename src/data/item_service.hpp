#pragma once
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/error.hpp"
#include "store/item_store.hpp"

namespace latchkey::data {

// One error for absent, someone else's and malformed ids, so none can be told apart.
Error item_not_found(std::string detail = {});

// A user's own items. Inputs are validated by the caller; ids are made here, and metadata
// that is the JSON literal null is turned into none (a patch carrying it clears it).
// Blocking (store access): call from a worker pool.
class ItemService {
 public:
  ItemService(store::ItemStore& items, const core::Clock& clock, core::RandomSource& random)
      : items_(items), clock_(clock), random_(random) {}

  Result<store::ItemRecord> create(UserId owner, store::NewItem item);
  Result<std::vector<store::ItemRecord>> list(UserId owner, int limit, int offset);
  // not_found ("Item not found") if absent or someone else's.
  Result<store::ItemRecord> get(UserId owner, ItemId id);
  // bad_request ("No fields to update") for an empty patch.
  Result<store::ItemRecord> update(UserId owner, ItemId id, store::ItemPatch patch);
  Result<void> remove(UserId owner, ItemId id);

 private:
  store::ItemStore& items_;
  const core::Clock& clock_;
  core::RandomSource& random_;  // item ids
};

}  // namespace latchkey::data
