#pragma once
// PostgreSQL's LIKE and ILIKE for SQLite, so that a like/ilike filter matches the same rows
// on both backends. SQLite's own LIKE differs: it folds ASCII case even for LIKE, and has no
// escape character unless told.
//
// Semantics (PostgreSQL's MatchText, UTF-8): `%` matches any sequence of characters, `_`
// exactly one character (not one byte), a backslash makes the next character literal; every
// other character matches only itself. ILIKE folds ASCII letters only, as PostgreSQL does under
// COLLATE "C", which the PostgreSQL backend uses for every text comparison. Under another
// collation PostgreSQL would also fold non-ASCII letters (É and é); neither backend does here.
// A pattern ending in a lone backslash is refused before any SQL runs (store/item_sql.cpp).
#include <sqlite3.h>

#include <string_view>

namespace latchkey::store::sqlite {

bool pg_like_match(std::string_view text, std::string_view pattern, bool icase);

// Registers pg_like(text, pattern, icase) on `db`: 1 or 0, NULL if text or pattern is NULL.
int register_pg_like(sqlite3* db);

}  // namespace latchkey::store::sqlite
