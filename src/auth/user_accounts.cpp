#include "auth/user_accounts.hpp"

#include "core/ascii.hpp"
#include "crypto/digest.hpp"

namespace latchkey::auth {
namespace {

using nlohmann::json;

Error admin_user_not_found() {
  Error e = Error::make(ErrorCode::user_not_found, "User not found", "admin: no such user");
  e.code = Errc::not_found;  // an admin asking for an id: 404, not a token problem
  return e;
}

Error email_taken() {
  return Error::make(ErrorCode::email_exists,
                     "A user with this email address has already been registered", "email taken");
}

// Names a store failure: a taken email, an absent user.
Error named(Error e, Error if_absent) {
  if (e.code == Errc::conflict) return email_taken();
  if (e.code == Errc::not_found) return if_absent;
  return e;
}

}  // namespace

Result<void> check_metadata_size(const std::string& text, std::string_view field) {
  const size_t max = field == "app_metadata" ? kMaxAppMetadataBytes : kMaxUserMetadataBytes;
  if (text.size() <= max) return {};
  return fail(Error::make(ErrorCode::validation_failed,
                          std::string(field) + " is too large (at most " + std::to_string(max) +
                              " bytes as JSON)",
                          "metadata too large"));
}

std::string merge_metadata(const std::string& base, const json& patch) {
  json merged = json::parse(base, nullptr, /*allow_exceptions=*/false);
  if (!merged.is_object()) merged = json::object();
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null()) {
      merged.erase(key);
    } else {
      merged[key] = value;
    }
  }
  return merged.dump();
}

Result<std::string> UserAccounts::new_password_hash(const store::UserRecord& current,
                                                    std::string_view password) const {
  if (hasher_.verify(current.password_hash, password)) {
    return fail(Error::make(ErrorCode::same_password,
                            "New password should be different from the old password.",
                            "same password"));
  }
  return hasher_.hash(password);
}

std::string UserAccounts::unusable_password_hash() const {
  return hasher_.hash(crypto::random_token(random_, 32));
}

Result<store::UserRecord> UserAccounts::update_self(const Principal& who, const SelfUpdate& change) {
  auto current = users_.find_user(who.user_id);
  if (!current) {
    return fail(named(std::move(current).error(),
                      Error::make(ErrorCode::user_not_found,
                                  "User from sub claim in JWT does not exist", "user gone")));
  }
  store::UserPatch patch;
  if (change.data) {
    patch.user_metadata = merge_metadata(current->user_metadata, *change.data);
    if (auto ok = check_metadata_size(*patch.user_metadata, "user_metadata"); !ok)
      return fail(ok.error());
  }
  patch.password_hash = change.password_hash;
  const auto now = clock_.now_us();
  auto updated = users_.update_user(who.user_id, patch, now);
  if (!updated) {
    return fail(named(std::move(updated).error(),
                      Error::make(ErrorCode::user_not_found, "User not found", "user gone")));
  }
  if (change.password_hash) {
    // Whoever knew the old password may hold other sessions: they end; this one stays.
    if (auto r = sessions_.revoke_user_sessions(who.user_id, who.session_id, now); !r)
      return fail(std::move(r).error());
  }
  return updated;
}

Result<store::UserPage> UserAccounts::list(int64_t page, int64_t per_page) {
  return users_.list_users(per_page, (page - 1) * per_page);
}

Result<store::UserRecord> UserAccounts::get(UserId id) {
  auto user = users_.find_user(id);
  if (!user) return fail(named(std::move(user).error(), admin_user_not_found()));
  return user;
}

Result<store::UserRecord> UserAccounts::create(const AdminUserInput& in) {
  const auto now = clock_.now_us();
  store::NewUser user{in.id.value_or(UserId{core::Uuid::random_v4(random_)}),
                      core::ascii_lower(in.email.value_or("")),
                      merge_metadata("{}", in.user_metadata.value_or(json::object())),
                      in.password_hash.value_or("")};
  // The provider fields are the server's; an admin's app_metadata adds to them.
  user.app_metadata = merge_metadata(std::string(store::kEmailAppMetadata),
                                     in.app_metadata.value_or(json::object()));
  if (auto ok = check_metadata_size(user.user_metadata, "user_metadata"); !ok) return fail(ok.error());
  if (auto ok = check_metadata_size(user.app_metadata, "app_metadata"); !ok) return fail(ok.error());
  user.phone = in.phone;
  if (in.email_confirm.value_or(false)) user.email_confirmed_at = now;
  if (in.ban_seconds && *in.ban_seconds > 0) user.banned_until = now + *in.ban_seconds * 1'000'000;
  auto created = users_.create_user(user, now);
  if (!created) return fail(named(std::move(created).error(), admin_user_not_found()));
  return created;
}

Result<store::UserRecord> UserAccounts::update(UserId id, const AdminUserInput& in) {
  auto current = get(id);
  if (!current) return current;
  const auto now = clock_.now_us();
  store::UserPatch patch;
  if (in.email) patch.email = core::ascii_lower(*in.email);
  if (in.phone) patch.phone = *in.phone;
  patch.password_hash = in.password_hash;
  if (in.email_confirm) {
    // true confirms (keeping an earlier confirmation time); false withdraws it.
    if (*in.email_confirm) {
      patch.email_confirmed_at = current->email_confirmed_at.value_or(now);
    } else {
      patch.email_confirmed_at = std::optional<core::Micros>();
    }
  }
  if (in.user_metadata) {
    patch.user_metadata = merge_metadata(current->user_metadata, *in.user_metadata);
    if (auto ok = check_metadata_size(*patch.user_metadata, "user_metadata"); !ok)
      return fail(ok.error());
  }
  if (in.app_metadata) {
    patch.app_metadata = merge_metadata(current->app_metadata, *in.app_metadata);
    if (auto ok = check_metadata_size(*patch.app_metadata, "app_metadata"); !ok)
      return fail(ok.error());
  }
  if (in.ban_seconds) {
    patch.banned_until = *in.ban_seconds > 0
                             ? std::optional<core::Micros>(now + *in.ban_seconds * 1'000'000)
                             : std::optional<core::Micros>();
  }
  auto updated = users_.update_user(id, patch, now);
  if (!updated) return fail(named(std::move(updated).error(), admin_user_not_found()));
  if (in.ban_seconds && *in.ban_seconds > 0) {
    // Tokens are checked against their session on every request, so this refuses them now.
    if (auto r = sessions_.revoke_user_sessions(id, std::nullopt, now); !r)
      return fail(std::move(r).error());
  }
  return updated;
}

Result<void> UserAccounts::remove(UserId id) {
  auto removed = users_.delete_user(id);
  if (!removed) return fail(named(std::move(removed).error(), admin_user_not_found()));
  return {};
}

}  // namespace latchkey::auth
