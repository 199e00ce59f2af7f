#include "store/mail_store.hpp"

namespace latchkey::store {
namespace {

constexpr std::string_view kNames[] = {"signup", "recovery", "email_change", "magiclink"};

}  // namespace

std::string_view purpose_name(TokenPurpose purpose) {
  return kNames[static_cast<size_t>(purpose)];
}

std::optional<TokenPurpose> purpose_from_name(std::string_view name) {
  for (size_t i = 0; i < std::size(kNames); ++i)
    if (kNames[i] == name) return static_cast<TokenPurpose>(i);
  return std::nullopt;
}

}  // namespace latchkey::store
