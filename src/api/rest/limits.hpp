#pragma once
// Bounds on the work one PostgREST request may ask for. The HTTP layer bounds the query
// string's bytes; these bound what the parser builds from them and what a backend is then
// asked to compile, so no request costs more than a fixed multiple of its size. Exceeding
// one is a 400 PGRST100 naming the limit.
#include <cstddef>
#include <cstdint>

namespace latchkey::api::rest {

inline constexpr size_t kMaxFilters = 100;           // comparisons, top level and in logic trees
inline constexpr int kMaxLogicDepth = 8;             // or=(and(...)) is depth 2
inline constexpr size_t kMaxInValues = 1000;         // values of one in.(...) list
inline constexpr int64_t kMaxLimit = 1'000'000'000;  // limit=
// select=title,title,... renders every item for every row: a long list of one column would
// multiply the response size, so the list is capped well above the table's 7 columns.
inline constexpr size_t kMaxSelectItems = 64;
inline constexpr size_t kMaxOrderTerms = 32;

}  // namespace latchkey::api::rest
