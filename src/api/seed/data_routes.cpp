// /data*: the caller's own items. The owner always comes from the verified token. These
// routes run on the store pool (after the session check), so they call the service directly.
#include "api/core/request_body.hpp"
#include "api/seed/handlers.hpp"
#include "api/seed/response_body.hpp"

namespace latchkey::api::seed {
namespace {

constexpr size_t kMaxTitle = 255;
constexpr size_t kUnbounded = SIZE_MAX;  // content is bounded by the body size limit only

// A malformed id is answered like an absent one, so ids cannot be probed.
Result<ItemId> item_id(const Call& call) {
  auto id = core::Uuid::parse(call.param);
  if (!id) return fail(data::item_not_found("malformed id"));
  return ItemId{*id};
}

Outcome item_response(Result<store::ItemRecord> item) {
  if (!item) return std::move(item).error();
  return json_ok(item_json(*item));
}

}  // namespace

Outcome post_item(const SeedDeps& deps, Call& call) {
  auto body = parse_json_body(call.req.body);
  if (!body) return std::move(body).error();
  FieldReader fields(*body);
  store::NewItem item;
  auto title = fields.required_string("title", 1, kMaxTitle);
  auto content = fields.required_string("content", 0, kUnbounded);
  item.metadata_json = fields.optional_object("metadata");
  // Any "user_id" or "id" in the body is ignored: the owner is the token's subject.
  if (!fields.ok()) return fields.error();
  item.title = std::move(*title);
  item.content = std::move(*content);
  return item_response(deps.items.create(call.principal->user_id, std::move(item)));
}

Outcome list_items(const SeedDeps& deps, Call& call) {
  auto limit = int_query_param(call.req.query, "limit", 100, 1, 1000);
  auto offset = int_query_param(call.req.query, "offset", 0, 0, INT32_MAX);
  if (!limit || !offset) {
    Error e = limit ? offset.error() : limit.error();
    if (!limit && !offset) e.fields.push_back(offset.error().fields.front());
    return e;
  }
  auto items = deps.items.list(call.principal->user_id, *limit, *offset);
  if (!items) return std::move(items).error();
  return json_ok(items_json(*items));
}

Outcome get_item(const SeedDeps& deps, Call& call) {
  auto id = item_id(call);
  if (!id) return std::move(id).error();
  return item_response(deps.items.get(call.principal->user_id, *id));
}

Outcome put_item(const SeedDeps& deps, Call& call) {
  auto id = item_id(call);
  if (!id) return std::move(id).error();
  auto body = parse_json_body(call.req.body);
  if (!body) return std::move(body).error();
  FieldReader fields(*body);
  store::ItemPatch patch;
  // As in the tutorial, a field sent as null is left unchanged.
  patch.title = fields.optional_string("title", 1, kMaxTitle);
  patch.content = fields.optional_string("content", 0, kUnbounded);
  patch.metadata_json = fields.optional_object("metadata");
  if (!fields.ok()) return fields.error();
  return item_response(deps.items.update(call.principal->user_id, *id, patch));
}

Outcome delete_item(const SeedDeps& deps, Call& call) {
  auto id = item_id(call);
  if (!id) return std::move(id).error();
  auto done = deps.items.remove(call.principal->user_id, *id);
  if (!done) return std::move(done).error();
  return json_ok(message_json("Item deleted successfully"));
}

}  // namespace latchkey::api::seed
