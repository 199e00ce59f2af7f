#include "store/mail_store.hpp"

#include <algorithm>

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

OneTimeToken issued_token(const NewOneTimeToken& token, core::Uuid id, core::Micros now) {
  OneTimeToken out;
  out.id = id;
  out.user = token.user;
  out.purpose = token.purpose;
  out.email = token.email;
  out.redirect_to = token.redirect_to;
  out.created_at = now;
  out.expires_at = token.expires_at;
  return out;
}

void sort_by_due(std::vector<MailRecord>& mails) {
  std::sort(mails.begin(), mails.end(), [](const MailRecord& a, const MailRecord& b) {
    return a.next_attempt_at != b.next_attempt_at ? a.next_attempt_at < b.next_attempt_at
                                                  : a.created_at < b.created_at;
  });
}

}  // namespace latchkey::store
