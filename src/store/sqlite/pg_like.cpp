#include "store/sqlite/pg_like.hpp"

#include <string>

#include "core/ascii.hpp"

namespace latchkey::store::sqlite {
namespace {

enum class Match { no, yes, abort };  // abort: no later starting point can match either

// Past one UTF-8 character: one byte, then any continuation bytes (PostgreSQL's NextChar for
// UTF-8).
void next_char(std::string_view& s) {
  s.remove_prefix(1);
  while (!s.empty() && (static_cast<unsigned char>(s.front()) & 0xC0) == 0x80) s.remove_prefix(1);
}

// A transcription of PostgreSQL's MatchText (src/backend/utils/adt/like_match.c). Literal
// characters compare byte by byte, which is exact for UTF-8: text positions only ever move by
// whole characters (`_`, `%`) or in step with the pattern's bytes.
Match match_text(std::string_view t, std::string_view p) {
  if (p == "%") return Match::yes;  // the common case
  while (!t.empty() && !p.empty()) {
    if (p.front() == '\\') {
      p.remove_prefix(1);
      if (p.empty()) return Match::no;  // refused before any SQL runs; never reached
      if (p.front() != t.front()) return Match::no;
    } else if (p.front() == '%') {
      // Collapse %s and _s: each _ consumes one character of the text.
      p.remove_prefix(1);
      while (!p.empty()) {
        if (p.front() == '%') {
          p.remove_prefix(1);
        } else if (p.front() == '_') {
          if (t.empty()) return Match::abort;
          next_char(t);
          p.remove_prefix(1);
        } else {
          break;
        }
      }
      if (p.empty()) return Match::yes;  // a trailing % matches the rest
      // The next pattern byte must match the text here; only try those positions.
      const char first = p.front() == '\\' ? (p.size() > 1 ? p[1] : '\\') : p.front();
      while (!t.empty()) {
        if (t.front() == first) {
          const Match m = match_text(t, p);
          if (m != Match::no) return m;
        }
        next_char(t);
      }
      return Match::abort;  // the text ran out: a later start cannot do better
    } else if (p.front() == '_') {
      next_char(t);
      p.remove_prefix(1);
      continue;
    } else if (p.front() != t.front()) {
      return Match::no;
    }
    t.remove_prefix(1);
    p.remove_prefix(1);
  }
  if (!t.empty()) return Match::no;
  while (!p.empty() && p.front() == '%') p.remove_prefix(1);
  return p.empty() ? Match::yes : Match::abort;
}

void pg_like_fn(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  const auto* t = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const int tn = sqlite3_value_bytes(argv[0]);
  const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
  const int pn = sqlite3_value_bytes(argv[1]);
  if (!t || !p) {  // out of memory converting the value to text
    sqlite3_result_error_nomem(ctx);
    return;
  }
  const bool icase = sqlite3_value_int(argv[2]) != 0;
  const bool m = pg_like_match(std::string_view(t, static_cast<size_t>(tn)),
                               std::string_view(p, static_cast<size_t>(pn)), icase);
  sqlite3_result_int(ctx, m ? 1 : 0);
}

}  // namespace

bool pg_like_match(std::string_view text, std::string_view pattern, bool icase) {
  if (!icase) return match_text(text, pattern) == Match::yes;
  // PostgreSQL's ILIKE lower()s both sides and matches case-sensitively; under COLLATE "C"
  // lower() folds ASCII only.
  const std::string t = core::ascii_lower(text), p = core::ascii_lower(pattern);
  return match_text(t, p) == Match::yes;
}

int register_pg_like(sqlite3* db) {
  // DETERMINISTIC: same inputs, same answer. DIRECTONLY: callable from top-level SQL only,
  // never from a view or trigger stored in the database file.
  return sqlite3_create_function_v2(db, "pg_like", 3,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                    nullptr, &pg_like_fn, nullptr, nullptr, nullptr);
}

}  // namespace latchkey::store::sqlite
