#pragma once
// Route handlers. Each parses and validates on the I/O thread (cheap, bounded by the body
// limit), then hands store or hashing work to a pool through Api.
#include "api/api.hpp"

namespace latchkey::api {

void get_root(Api& api, Call&& call);
void get_health(Api& api, Call&& call);
void get_openapi(Api& api, Call&& call);
void get_docs_page(Api& api, Call&& call);
void get_docs_asset(Api& api, Call&& call);

void post_register(Api& api, Call&& call);
void post_login(Api& api, Call&& call);
void post_logout(Api& api, Call&& call);
void get_me(Api& api, Call&& call);
void post_refresh(Api& api, Call&& call);

void post_item(Api& api, Call&& call);
void list_items(Api& api, Call&& call);
void get_item(Api& api, Call&& call);
void put_item(Api& api, Call&& call);
void delete_item(Api& api, Call&& call);

// Helpers shared by the handlers.
http::Response json_ok(std::string body);
void reply_error(Call& call, const Error& error);

}  // namespace latchkey::api
