#pragma once
// The failures of ItemRowStore, built the same way by both backends. PostgreSQL raises them
// itself (its SQLSTATE picks the constructor, pg_item_rows.cpp); SQLite's store checks the
// same rules in C++ in PostgreSQL's order (sqlite_row_rules.cpp). Unlike other store errors
// they carry their public code, PostgreSQL's message and, in Error::details, what the
// interface promises (item_rows.hpp): both backends must answer a request identically, and
// only the store knows which rule a row broke. Nothing here names more than the caller sent
// or may know (its own ids, the column of the table contract).
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/uuid.hpp"
#include "store/item_query.hpp"

namespace latchkey::store::row_errors {

// forbidden (42501): a row the scope may not write; anon writing anything.
Error row_security(std::string log);
// conflict (23505); details "Key (id)=(<uuid>) already exists." (empty if the id is not
// known).
Error duplicate_id(std::optional<core::Uuid> id, std::string log);
// invalid_input (23502); details the column name.
Error not_null(ItemColumn column, std::string log);
// invalid_input (22001): a title longer than varchar(255); details "title".
Error title_too_long(std::string log);
// invalid_input (23514): metadata that is not a JSON object; details "metadata".
Error metadata_not_object(std::string log);
// conflict (23503): user_id names no user (only service_role can choose one); details
// "Key (user_id)=(<uuid>) is not present in table \"users\"." (empty if not known).
Error unknown_user(std::optional<core::Uuid> user, std::string log);
bool is_unknown_user(const Error& e);
// invalid_input (21000): one upsert proposed the same id twice for DO UPDATE.
Error upsert_row_twice(std::string log);

// A query the typed values cannot express against this table (the surface's parser should
// have refused it first): `code` is the PostgreSQL-style code, `message` its wording.
Error bad_query(ErrorCode code, std::string message);

}  // namespace latchkey::store::row_errors
