#include "api/rest/row_routes.hpp"

#include "api/rest/errors.hpp"
#include "api/rest/query_parser.hpp"
#include "api/rest/row_body.hpp"
#include "api/rest/row_json.hpp"

namespace latchkey::api::rest {
namespace {

using store::DataRole;
using store::DataScope;
using store::RowsResult;

// The headers parse_request reads, owned (RestHeaders only views them).
struct HeaderText {
  std::string prefer, accept, range, accept_profile, content_profile;

  explicit HeaderText(const http::Request& req)
      : prefer(req.header_list("prefer")),
        accept(req.header_list("accept")),
        range(req.header("range")),
        accept_profile(req.header("accept-profile")),
        content_profile(req.header("content-profile")) {}
  RestHeaders view() const {
    return RestHeaders{prefer, accept, range, accept_profile, content_profile};
  }
};

Result<RestRequest> parse(const Call& call) {
  const HeaderText headers(call.req);
  auto r = parse_request(call.req.method, call.req.query, headers.view());
  if (!r) return r;
  // handling=strict: a preference we do not know is refused rather than ignored.
  if (r->prefer.handling == HandlingPref::strict && !r->prefer.invalid.empty()) {
    std::string listed;
    for (const auto& p : r->prefer.invalid) listed += (listed.empty() ? "" : ", ") + p;
    return fail(Error::make(ErrorCode::invalid_preferences, {}, "unknown Prefer, strict")
                    .with_details("Invalid preferences: " + listed));
  }
  return r;
}

DataScope scope_of(const auth::Principal& p) {
  switch (p.role) {
    case auth::Role::anon: return DataScope{DataRole::anon, {}};
    case auth::Role::authenticated: return DataScope{DataRole::authenticated, p.user_id};
    case auth::Role::service_role: return DataScope{DataRole::service_role, {}};
  }
  return DataScope{DataRole::anon, {}};
}

// A store refusal as PostgREST words it. For the anon role a refused write is a request that
// lacks authentication, which PostgREST answers 401 rather than 403.
Error refused(Error e, const DataScope& scope) {
  if (scope.role == DataRole::anon && e.public_code == ErrorCode::row_security_violation) {
    e.code = Errc::unauthenticated;
  }
  return e;
}

store::WriteOptions write_options(const RestRequest& r) {
  store::WriteOptions o;
  o.single = r.media.single;
  // PostgREST applies max-affected only under handling=strict.
  if (r.prefer.handling == HandlingPref::strict) o.max_affected = r.prefer.max_affected;
  return o;
}

// The error for a write that WriteOptions undid.
Error undone(const RowsResult& result, const store::WriteOptions& options) {
  if (options.single && result.rows.size() != 1) return not_single_row(result.rows.size());
  return Error::make(ErrorCode::max_affected_exceeded, {}, "max-affected")
      .with_details("The query affects " + std::to_string(result.rows.size()) + " rows");
}

// PATCH and DELETE change every row their filters match; PostgREST's limited updates (order
// with limit) are not served, and a slice the client asked for must not be ignored.
Result<void> no_slice(const store::ItemQuery& q, const char* method) {
  if (q.limit || q.offset != 0 || !q.order.empty()) {
    return fail(Error::make(ErrorCode::query_parse_failed,
                            std::string("limit, offset and order are not supported on ") + method,
                            "sliced write"));
  }
  return {};
}

// Preference-Applied for what this method honoured.
void add_preference_applied(http::Response& r, http::Method method, Preferences p) {
  if (method == http::Method::get || method == http::Method::head) {
    Preferences counted_only;
    counted_only.count = p.count;
    p = std::move(counted_only);
  } else if (method != http::Method::post) {
    p.resolution.reset();
    p.missing.reset();
  }
  if (auto applied = preference_applied(p); !applied.empty()) {
    r.headers.push_back({"Preference-Applied", std::move(applied)});
  }
}

// The response to a write: its rows in the negotiated shape for return=representation, else
// no body (`status_without_body`).
Result<http::Response> write_response(const RestRequest& r, const RowsResult& result,
                                      int status_with_body, int status_without_body) {
  http::Response resp;
  if (r.prefer.representation()) {
    auto body = render_rows(result.rows, r.parsed.select, r.media);
    if (!body) return fail(std::move(body).error());
    resp.status = status_with_body;
    resp.content_type = content_type(r.media);
    resp.body = std::move(*body);
  } else {
    resp.status = status_without_body;
    resp.content_type.clear();
  }
  return resp;
}

std::optional<int64_t> counted(const RestRequest& r, const RowsResult& result) {
  if (!r.prefer.count) return std::nullopt;
  return static_cast<int64_t>(result.rows.size());
}

}  // namespace

Outcome read_rows(const RestV1Deps& deps, Call& call) {
  auto r = parse(call);
  if (!r) return std::move(r).error();
  const DataScope scope = scope_of(*call.principal);
  auto result = deps.rows.select(scope, r->parsed.query);
  if (!result) return refused(std::move(result).error(), scope);
  const int64_t offset = r->parsed.query.offset;
  auto status = read_status(offset, result->rows.size(), result->total);
  if (!status) {
    auto resp = postgrest_error(status.error());
    resp.headers.push_back({"Content-Range", content_range(offset, 0, result->total)});
    return resp;
  }
  auto body = render_rows(result->rows, r->parsed.select, r->media);
  if (!body) return std::move(body).error();
  http::Response resp;
  resp.status = *status;
  resp.content_type = content_type(r->media);
  resp.body = std::move(*body);
  resp.headers.push_back(
      {"Content-Range", content_range(offset, result->rows.size(), result->total)});
  add_preference_applied(resp, call.req.method, r->prefer);
  return resp;
}

Outcome insert_rows(const RestV1Deps& deps, Call& call) {
  auto r = parse(call);
  if (!r) return std::move(r).error();
  auto values =
      parse_insert_body(call.req.body, r->parsed.columns, r->prefer.missing_default());
  if (!values) return std::move(values).error();
  const DataScope scope = scope_of(*call.principal);
  const auto options = write_options(*r);
  auto result = deps.rows.insert(scope, *values, r->upsert, options);
  if (!result) return refused(std::move(result).error(), scope);
  if (result->rolled_back) return undone(*result, options);
  // PostgREST answers 201 for an upsert too (200 only when it can tell that nothing was
  // newly inserted, which latchkey's stores do not report).
  auto resp = write_response(*r, *result, 201, 201);
  if (!resp) return std::move(resp).error();
  if (r->prefer.return_pref == ReturnPref::headers_only && result->rows.size() == 1) {
    resp->headers.push_back({"Location", "/user_data?id=eq." + result->rows[0].id.v.str()});
  }
  resp->headers.push_back({"Content-Range", content_range(0, 0, counted(*r, *result))});
  add_preference_applied(*resp, call.req.method, r->prefer);
  return std::move(*resp);
}

Outcome update_rows(const RestV1Deps& deps, Call& call) {
  auto r = parse(call);
  if (!r) return std::move(r).error();
  if (auto whole = no_slice(r->parsed.query, "PATCH"); !whole) return std::move(whole).error();
  auto values = parse_update_body(call.req.body, r->parsed.columns);
  if (!values) return std::move(values).error();
  const DataScope scope = scope_of(*call.principal);
  const auto options = write_options(*r);
  auto result = deps.rows.update(scope, r->parsed.query.where, *values, options);
  if (!result) return refused(std::move(result).error(), scope);
  if (result->rolled_back) return undone(*result, options);
  auto resp = write_response(*r, *result, 200, 204);
  if (!resp) return std::move(resp).error();
  resp->headers.push_back(
      {"Content-Range", content_range(0, result->rows.size(), counted(*r, *result))});
  add_preference_applied(*resp, call.req.method, r->prefer);
  return std::move(*resp);
}

Outcome delete_rows(const RestV1Deps& deps, Call& call) {
  auto r = parse(call);
  if (!r) return std::move(r).error();
  if (auto whole = no_slice(r->parsed.query, "DELETE"); !whole) return std::move(whole).error();
  const DataScope scope = scope_of(*call.principal);
  const auto options = write_options(*r);
  auto result = deps.rows.remove(scope, r->parsed.query.where, options);
  if (!result) return refused(std::move(result).error(), scope);
  if (result->rolled_back) return undone(*result, options);
  auto resp = write_response(*r, *result, 200, 204);
  if (!resp) return std::move(resp).error();
  resp->headers.push_back({"Content-Range", content_range(0, 0, counted(*r, *result))});
  add_preference_applied(*resp, call.req.method, r->prefer);
  return std::move(*resp);
}

Outcome unknown_table(Call& call) {
  // The name is echoed only when it is plain printable ASCII (it is the raw path segment).
  bool printable = call.param.size() <= 128;
  for (unsigned char c : call.param) printable = printable && c > 0x20 && c < 0x7f;
  std::string message = printable ? "Could not find the table 'public." + call.param +
                                        "' in the schema cache"
                                  : "Could not find the table in the schema cache";
  return Error::make(ErrorCode::table_not_found, std::move(message), "unknown table")
      .with_details({}, "Perhaps you meant the table 'public.user_data'");
}

}  // namespace latchkey::api::rest
