// ItemRowStore contract: like and ilike mean PostgreSQL's LIKE on every backend (SQLite:
// pg_like(), src/store/sqlite/pg_like.hpp).
#include "item_rows_contract.hpp"


namespace latchkey::store::testing {
namespace {

using C = ItemColumn;
using Op = FilterOp;
using Titles = std::vector<std::string>;

struct FilterCase {
  const char* name;
  FilterGroup where;
  Titles expected;  // sorted
};

TEST_P(ItemRowsContract, LikeAndIlikeArePostgresqlsOnEveryBackend) {
  const std::vector<FilterCase> cases = {
      {"% at the start", where(cmp(C::title, Op::like, {text("%a")})), {"Beta", "alpha"}},
      {"% alone", where(cmp(C::title, Op::like, {text("%")})),
       {"Beta", "alpha", "delta\\x", "gamma_3"}},
      {"_ is one character", where(cmp(C::title, Op::like, {text("_eta")})), {"Beta"}},
      {"like is case-sensitive", where(cmp(C::title, Op::like, {text("beta")})), {}},
      {"ilike folds ASCII", where(cmp(C::title, Op::ilike, {text("BETA")})), {"Beta"}},
      {"ilike with %", where(cmp(C::title, Op::ilike, {text("%LPH%")})), {"alpha"}},
      {"not.like", where(cmp(C::title, Op::like, {text("%a%")}, true)), {}},
      {"not.ilike", where(cmp(C::title, Op::ilike, {text("b%")}, true)),
       {"alpha", "delta\\x", "gamma_3"}},
      {"\\_ is a literal _", where(cmp(C::title, Op::like, {text("gamma\\_3")})), {"gamma_3"}},
      {"_ matches _ too", where(cmp(C::title, Op::like, {text("gamma__")})), {"gamma_3"}},
      {"\\_ does not match other characters", where(cmp(C::title, Op::like, {text("alph\\_")})),
       {}},
      {"\\% is a literal %", where(cmp(C::content, Op::like, {text("50\\% off")})),
       {"gamma_3"}},
      {"\\% needs a %", where(cmp(C::content, Op::like, {text("5\\%%")})), {}},
      {"\\\\ is a literal backslash", where(cmp(C::title, Op::like, {text("delta\\\\x")})),
       {"delta\\x"}},
      {"a lone \\ before a letter is that letter", where(cmp(C::title, Op::like, {text("\\alpha")})),
       {"alpha"}},
      {"_ is one character, not one byte", where(cmp(C::content, Op::like, {text("_ accent")})),
       {"delta\\x"}},
      {"non-ASCII is matched exactly", where(cmp(C::content, Op::like, {text("\xC3\xA9%")})),
       {"delta\\x"}},
      // ASCII folding only (PostgreSQL under COLLATE "C"): É does not fold to é.
      {"ilike folds no other letter", where(cmp(C::content, Op::ilike, {text("\xC3\x89%")})), {}},
      {"%_% needs one character", where(cmp(C::title, Op::like, {text("%alpha_%")})), {}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(title_set(as(alice_), c.where), c.expected) << c.name;
  }
}

}  // namespace
}  // namespace latchkey::store::testing
