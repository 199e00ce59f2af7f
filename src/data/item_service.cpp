#include "data/item_service.hpp"

namespace latchkey::data {

Error item_not_found(std::string detail) {
  return Error::make(ErrorCode::item_not_found, "Item not found", std::move(detail));
}

namespace {

template <class T>
Result<T> item_not_found_if_absent(Result<T> r) {
  if (!r && r.error().code == Errc::not_found) return fail(item_not_found(r.error().detail));
  return r;
}

// Metadata arrives as serialized JSON. The JSON literal null means "no metadata": it is
// stored as none (SQL NULL) rather than as the text "null", so that it reads back as absent
// on every backend, and a patch carrying it clears the metadata.
bool is_json_null(const std::optional<std::string>& metadata) {
  return metadata && *metadata == "null";
}

}  // namespace

Result<store::ItemRecord> ItemService::create(UserId owner, store::NewItem item) {
  item.id = ItemId{core::Uuid::random_v4(random_)};
  if (is_json_null(item.metadata_json)) item.metadata_json.reset();
  auto created = items_.create_item(owner, item, clock_.now_us());
  if (!created && created.error().code == Errc::conflict)
    return fail(std::move(created).error().with_code(ErrorCode::conflict, "Item already exists"));
  return created;
}

Result<std::vector<store::ItemRecord>> ItemService::list(UserId owner, int limit, int offset) {
  return items_.list_items(owner, limit, offset);
}

Result<store::ItemRecord> ItemService::get(UserId owner, ItemId id) {
  return item_not_found_if_absent(items_.get_item(owner, id));
}

Result<store::ItemRecord> ItemService::update(UserId owner, ItemId id, store::ItemPatch patch) {
  if (patch.empty()) return fail(Error::make(ErrorCode::no_fields_to_update, "No fields to update"));
  if (is_json_null(patch.metadata_json)) {
    patch.metadata_json.reset();
    patch.clear_metadata = true;
  }
  return item_not_found_if_absent(items_.update_item(owner, id, patch, clock_.now_us()));
}

Result<void> ItemService::remove(UserId owner, ItemId id) {
  return item_not_found_if_absent(items_.delete_item(owner, id));
}

}  // namespace latchkey::data
