// /data*: the caller's own items. The owner always comes from the verified token.
#include "api/errors.hpp"
#include "api/request_body.hpp"
#include "api/response_body.hpp"
#include "api/routes.hpp"

namespace latchkey::api {
namespace {

constexpr size_t kMaxTitle = 255;
constexpr size_t kUnbounded = SIZE_MAX;  // content is bounded by the body size limit only

// A malformed id is answered like an absent one, so ids cannot be probed.
std::optional<ItemId> item_id(Call& call) {
  auto id = core::Uuid::parse(call.param);
  if (!id) {
    reply_error(call, data::item_not_found("malformed id"));
    return std::nullopt;
  }
  return ItemId{*id};
}

http::Response item_response(Result<store::ItemRecord> item) {
  if (!item) return error_response(item.error());
  return json_ok(item_json(*item));
}

}  // namespace

void post_item(Api& api, Call&& call) {
  auto body = parse_json_body(call.req.body);
  if (!body) return reply_error(call, body.error());
  FieldReader fields(*body);
  store::NewItem item;
  auto title = fields.required_string("title", 1, kMaxTitle);
  auto content = fields.required_string("content", 0, kUnbounded);
  item.metadata_json = fields.optional_object("metadata");
  // Any "user_id" or "id" in the body is ignored: the owner is the token's subject.
  if (!fields.ok()) return reply_error(call, fields.error());
  item.title = std::move(*title);
  item.content = std::move(*content);
  api.on_store_pool(std::move(call), [&api, item = std::move(item)](Call& c) {
    return item_response(api.items().create(c.principal->user_id, item));
  });
}

void list_items(Api& api, Call&& call) {
  auto limit = int_query_param(call.req.query, "limit", 100, 1, 1000);
  auto offset = int_query_param(call.req.query, "offset", 0, 0, INT32_MAX);
  if (!limit || !offset) {
    Error e = limit ? offset.error() : limit.error();
    if (!limit && !offset) e.fields.push_back(offset.error().fields.front());
    return reply_error(call, e);
  }
  api.on_store_pool(std::move(call), [&api, limit = *limit, offset = *offset](Call& c) {
    auto items = api.items().list(c.principal->user_id, limit, offset);
    if (!items) return error_response(items.error());
    return json_ok(items_json(*items));
  });
}

void get_item(Api& api, Call&& call) {
  auto id = item_id(call);
  if (!id) return;
  api.on_store_pool(std::move(call), [&api, id = *id](Call& c) {
    return item_response(api.items().get(c.principal->user_id, id));
  });
}

void put_item(Api& api, Call&& call) {
  auto id = item_id(call);
  if (!id) return;
  auto body = parse_json_body(call.req.body);
  if (!body) return reply_error(call, body.error());
  FieldReader fields(*body);
  store::ItemPatch patch;
  // As in the tutorial, a field sent as null is left unchanged.
  patch.title = fields.optional_string("title", 1, kMaxTitle);
  patch.content = fields.optional_string("content", 0, kUnbounded);
  patch.metadata_json = fields.optional_object("metadata");
  if (!fields.ok()) return reply_error(call, fields.error());
  api.on_store_pool(std::move(call), [&api, id = *id, patch = std::move(patch)](Call& c) {
    return item_response(api.items().update(c.principal->user_id, id, patch));
  });
}

void delete_item(Api& api, Call&& call) {
  auto id = item_id(call);
  if (!id) return;
  api.on_store_pool(std::move(call), [&api, id = *id](Call& c) {
    auto done = api.items().remove(c.principal->user_id, id);
    if (!done) return error_response(done.error());
    return json_ok(message_json("Item deleted successfully"));
  });
}

}  // namespace latchkey::api
