#pragma once
// What PostgreSQL checks on each row an INSERT or UPDATE writes into public.user_data, in its
// order, for the SQLite backend of ItemRowStore: there the store must decide it in C++,
// because SQLite's constraint errors do not say which column or rule failed, and its owner
// views apply no insert policy of their own to a NULL user_id. The tables' constraints and
// the owner triggers stay underneath as a backstop.
//
// PostgreSQL's order: a too long title fails while the statement is planned (see
// check_title_length); then, row by row, the row-level security WITH CHECK, then NOT NULL in column order,
// then CHECK constraints, then the primary key. Foreign keys are checked at the end of the
// statement (the callers keep that order too).
#include <optional>
#include <string>

#include "core/error.hpp"
#include "store/item_query.hpp"
#include "store/records.hpp"

namespace latchkey::store::sqlite {

// A row as a write proposes it, before the table's rules: any column may be NULL.
struct DraftRow {
  std::optional<core::Uuid> id, user_id;
  std::optional<std::string> title, content, metadata;
  std::optional<core::Micros> created_at, updated_at;
};

// The row an INSERT proposes: `values` over the columns' defaults (id: `new_id`; user_id:
// the caller when authenticated, else NULL; created_at, updated_at: `now`).
DraftRow proposed_row(const ItemValues& values, const DataScope& scope, core::Uuid new_id,
                      core::Micros now);
DraftRow draft_of(const ItemRecord& row);
// Sets the columns `values` carries (already type-checked by check_values).
void set_values(DraftRow& row, const ItemValues& values);
// updated_at as PostgreSQL's trigger makes it on UPDATE: GREATEST(new, old + 1us), where new
// is the value set (possibly NULL, which GREATEST ignores).
core::Micros advanced_updated_at(std::optional<core::Micros> set, core::Micros old);

// title_too_long if `values` sets a title longer than varchar(255) allows. PostgreSQL finds
// that while planning (the bound value is a constant it coerces), so before any row is looked
// at, for every row of an insert and even for an update that matches nothing.
Result<void> check_title_length(const ItemValues& values);

// The row as stored, or the error PostgreSQL would raise for it, checked in PostgreSQL's
// order (see the top of this file).
Result<ItemRecord> check_row(DraftRow row, const DataScope& scope);

}  // namespace latchkey::store::sqlite
