// pg_like_match, SQLite's stand-in for PostgreSQL's LIKE/ILIKE. The store contract holds it
// to PostgreSQL's own answers (tests/store/item_rows_like_contract.cpp); these cases pin the
// matcher's corners without a database.
#include <gtest/gtest.h>

#include "store/sqlite/pg_like.hpp"

namespace latchkey::store::sqlite {
namespace {

struct LikeCase {
  const char* text;
  const char* pattern;
  bool icase;
  bool matches;
};

TEST(PgLike, MatchesAsPostgresqlDoes) {
  const LikeCase cases[] = {
      {"", "", false, true},
      {"", "%", false, true},
      {"", "_", false, false},
      {"abc", "abc", false, true},
      {"abc", "ab", false, false},
      {"abc", "a%", false, true},
      {"abc", "%c", false, true},
      {"abc", "%b%", false, true},
      {"abc", "a_c", false, true},
      {"abc", "a__c", false, false},
      {"abc", "%%%", false, true},
      {"abc", "_%_", false, true},
      {"ab", "_%__", false, false},
      {"aXbXc", "a%b%c", false, true},
      {"aaab", "%ab", false, true},
      {"a%c", "a\\%c", false, true},
      {"abc", "a\\%c", false, false},
      {"a_c", "a\\_c", false, true},
      {"abc", "a\\_c", false, false},
      {"a\\c", "a\\\\c", false, true},
      {"abc", "\\a\\b\\c", false, true},
      {"ABC", "abc", false, false},
      {"ABC", "abc", true, true},
      {"abc", "A%", true, true},
      {"\xC3\xA9t\xC3\xA9", "_t_", false, true},        // _ is one character, not one byte
      {"\xC3\xA9t\xC3\xA9", "__t__", false, false},
      {"\xC3\x89", "\xC3\xA9", true, false},            // ASCII folding only
      {"x\xF0\x9F\x94\x90y", "x_y", false, true},       // four-byte character
      {"x\xF0\x9F\x94\x90y", "%\xF0\x9F\x94\x90%", false, true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(pg_like_match(c.text, c.pattern, c.icase), c.matches)
        << "'" << c.text << "' LIKE '" << c.pattern << "'" << (c.icase ? " (ilike)" : "");
  }
}

TEST(PgLike, ManyPercentsDoNotBacktrackForever) {
  // PostgreSQL's abort rule: once the text runs out under a %, no later start is tried.
  const std::string text(5000, 'a');
  EXPECT_FALSE(pg_like_match(text, "%a%a%a%a%a%a%a%a%a%a%b", false));
}

}  // namespace
}  // namespace latchkey::store::sqlite
