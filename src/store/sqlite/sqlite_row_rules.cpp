#include "store/sqlite/sqlite_row_rules.hpp"

#include <algorithm>

#include "store/item_row_errors.hpp"

namespace latchkey::store::sqlite {
namespace {

constexpr size_t kTitleChars = 255;  // PostgreSQL: varchar(255)

template <class T>
std::optional<T> get(const std::optional<Literal>& v) {
  if (!v) return std::nullopt;
  return std::get<T>(*v);
}

// Byte offset just past the first `n` UTF-8 characters of `s`, or npos if it has fewer.
size_t after_chars(std::string_view s, size_t n) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (chars == n) return i;
    ++chars;
  }
  return std::string::npos;
}

// PostgreSQL's assignment to varchar(255): longer text is an error, unless everything past
// the limit is spaces, which are cut off (SQL standard).
Result<void> fit_title(std::string& title) {
  const size_t end = after_chars(title, kTitleChars);
  if (end == std::string::npos) return {};
  if (title.find_first_not_of(' ', end) != std::string::npos)
    return fail(row_errors::title_too_long("sqlite: title longer than 255 characters"));
  title.resize(end);
  return {};
}

// The row-level security WITH CHECK of public.user_data for this scope.
bool scope_may_write(const DraftRow& row, const DataScope& scope) {
  switch (scope.role) {
    case DataRole::anon: return false;  // no policy for anon
    case DataRole::authenticated: return row.user_id && *row.user_id == scope.user.v;
    case DataRole::service_role: return true;  // its policy is USING (true) WITH CHECK (true)
  }
  return false;
}

}  // namespace

Result<void> check_title_length(const ItemValues& values) {
  auto it = values.find(ItemColumn::title);
  if (it == values.end() || !it->second) return {};
  std::string title = std::get<std::string>(*it->second);
  return fit_title(title);
}

DraftRow proposed_row(const ItemValues& values, const DataScope& scope, core::Uuid new_id,
                      core::Micros now) {
  DraftRow row;
  row.id = new_id;
  // PostgreSQL: DEFAULT auth.uid(), which is NULL for anon and service_role.
  if (scope.role == DataRole::authenticated) row.user_id = scope.user.v;
  row.created_at = now;
  row.updated_at = now;
  set_values(row, values);
  return row;
}

DraftRow draft_of(const ItemRecord& r) {
  return DraftRow{r.id.v, r.user_id.v, r.title, r.content, r.metadata_json, r.created_at,
                  r.updated_at};
}

void set_values(DraftRow& row, const ItemValues& values) {
  for (const auto& [column, v] : values) {
    switch (column) {
      case ItemColumn::id: row.id = get<core::Uuid>(v); break;
      case ItemColumn::user_id: row.user_id = get<core::Uuid>(v); break;
      case ItemColumn::title: row.title = get<std::string>(v); break;
      case ItemColumn::content: row.content = get<std::string>(v); break;
      case ItemColumn::metadata: {
        auto json = get<JsonText>(v);
        row.metadata = json ? std::optional<std::string>(json->text) : std::nullopt;
        break;
      }
      case ItemColumn::created_at: row.created_at = get<core::Micros>(v); break;
      case ItemColumn::updated_at: row.updated_at = get<core::Micros>(v); break;
    }
  }
}

core::Micros advanced_updated_at(std::optional<core::Micros> set, core::Micros old) {
  return set ? std::max(*set, old + 1) : old + 1;
}

Result<ItemRecord> check_row(DraftRow row, const DataScope& scope) {
  if (row.title) {
    if (auto r = fit_title(*row.title); !r) return fail(std::move(r).error());
  }
  // Security: decided here for every scope, before any SQL; the owner triggers refuse the
  // same rows again underneath.
  if (!scope_may_write(row, scope)) return fail(row_errors::row_security("sqlite: row not writable by this scope"));
  // NOT NULL, in the table's column order (PostgreSQL reports the first).
  if (!row.id) return fail(row_errors::not_null(ItemColumn::id, "sqlite: id is null"));
  if (!row.user_id) return fail(row_errors::not_null(ItemColumn::user_id, "sqlite: user_id is null"));
  if (!row.title) return fail(row_errors::not_null(ItemColumn::title, "sqlite: title is null"));
  if (!row.content) return fail(row_errors::not_null(ItemColumn::content, "sqlite: content is null"));
  if (!row.created_at)
    return fail(row_errors::not_null(ItemColumn::created_at, "sqlite: created_at is null"));
  if (!row.updated_at)
    return fail(row_errors::not_null(ItemColumn::updated_at, "sqlite: updated_at is null"));
  // JsonText is canonical (no leading space), so an object is exactly a text starting with {.
  if (row.metadata && (row.metadata->empty() || row.metadata->front() != '{'))
    return fail(row_errors::metadata_not_object("sqlite: metadata is not an object"));
  return ItemRecord{ItemId{*row.id},   UserId{*row.user_id},    std::move(*row.title),
                    std::move(*row.content), std::move(row.metadata), *row.created_at,
                    *row.updated_at};
}

}  // namespace latchkey::store::sqlite
