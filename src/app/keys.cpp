#include "app/keys.hpp"

#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/serve.hpp"
#include "auth/signing_keys.hpp"
#include "core/time_format.hpp"
#include "crypto/init.hpp"
#include "crypto/jwt.hpp"

namespace latchkey::app {
namespace {

// Supabase's self-hosted keys last years; so do ours. A key stops working when the secret
// changes (which also ends every session).
constexpr int64_t kApiKeyTtlSeconds = 10LL * 365 * 24 * 3600;

int failed(const Error& e) {
  std::cerr << "latchkey: " << e.public_message();
  if (e.detail != e.public_message() && !e.detail.empty()) std::cerr << " (" << e.detail << ")";
  std::cerr << "\n";
  return 1;
}

crypto::JwtPolicy policy_of(const Config& config) {
  crypto::JwtPolicy policy;
  policy.issuer = config.jwt_issuer;
  policy.leeway_s = config.jwt_leeway_s;
  return policy;
}

// What every keys verb needs: the server secret, the configured database and the service.
struct KeyTools {
  std::string secret;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<crypto::JwtCodec> jwt;
  core::SystemClock clock;
  std::unique_ptr<auth::SigningKeys> keys;
};

Result<std::unique_ptr<KeyTools>> open_key_tools(const Config& config) {
  if (!crypto::init()) return fail(Error::of(Errc::internal, "cryptography failed to initialise"));
  auto secret = resolve_jwt_secret(config.data_dir);
  if (!secret) return fail(std::move(secret).error());
  // Works next to a running server: SQLite in WAL mode takes one more connection.
  auto store = open_store(config, /*migrate=*/false);
  if (!store) return fail(std::move(store).error());
  auto t = std::make_unique<KeyTools>();
  t->secret = std::move(*secret);
  t->store = std::move(*store);
  t->jwt = std::make_unique<crypto::JwtCodec>(t->secret, policy_of(config));
  t->keys = std::make_unique<auth::SigningKeys>(t->store->signing_keys(), *t->jwt, t->secret,
                                                t->clock, core::system_random());
  return t;
}

std::string when(const std::optional<core::Micros>& t) {
  return t ? core::format_rfc3339(*t) : std::string("-");
}

nlohmann::json key_json(const auth::SigningKeyInfo& k) {
  nlohmann::json j = {{"kid", k.kid},
                      {"algorithm", k.algorithm},
                      {"state", auth::state_name(k.state)},
                      {"origin", k.origin}};
  j["created_at"] = k.created_at ? nlohmann::json(core::format_rfc3339(k.created_at)) : nullptr;
  j["signs_from"] = k.signs_from ? nlohmann::json(core::format_rfc3339(*k.signs_from)) : nullptr;
  j["retired_at"] = k.retired_at ? nlohmann::json(core::format_rfc3339(*k.retired_at)) : nullptr;
  return j;
}

void print_key(const auth::SigningKeyInfo& k, std::ostream& out) {
  out << k.kid << "  " << k.algorithm << "  " << auth::state_name(k.state) << "  " << k.origin;
  if (k.signs_from) out << "  signs from " << when(k.signs_from);
  if (k.retired_at) out << "  retired " << when(k.retired_at);
  out << "\n";
}

}  // namespace

int print_api_key(const Config& config, const std::string& role, std::ostream& out) {
  if (role != "anon" && role != "service-role") {
    std::cerr << "latchkey keys: unknown role \"" << role << "\" (anon or service-role)\n";
    return 2;
  }
  if (!crypto::init()) {
    std::cerr << "latchkey: cryptography library failed to initialise\n";
    return 1;
  }
  auto secret = resolve_jwt_secret(config.data_dir);
  if (!secret) return failed(secret.error());
  const crypto::JwtCodec jwt(std::move(secret).value(), policy_of(config));
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  out << jwt.sign_api_key({role == "anon" ? "anon" : "service_role", now, now + kApiKeyTtlSeconds})
      << "\n";
  return 0;
}

int list_keys(const Config& config, bool json, std::ostream& out) {
  auto tools = open_key_tools(config);
  if (!tools) return failed(tools.error());
  auto listed = (*tools)->keys->list();
  if (!listed) return failed(listed.error());
  for (const auto& k : *listed) {
    if (json) {
      out << key_json(k).dump() << "\n";
    } else {
      print_key(k, out);
    }
  }
  return 0;
}

int rotate_key(const Config& config, std::ostream& out) {
  auto tools = open_key_tools(config);
  if (!tools) return failed(tools.error());
  const auto algorithm = crypto::parse_algorithm(config.jwt_algorithm);
  if (!algorithm) return failed(Error::of(Errc::invalid_input, "unknown --jwt-algorithm"));
  auto made = (*tools)->keys->rotate(*algorithm, auth::kSignerDelayUs);
  if (!made) return failed(made.error());
  print_key(*made, out);
  return 0;
}

int retire_key(const Config& config, const std::string& kid, std::ostream& out) {
  auto tools = open_key_tools(config);
  if (!tools) return failed(tools.error());
  if (auto r = (*tools)->keys->retire(kid); !r) return failed(r.error());
  out << kid << " retired: running nodes refuse its tokens within " << auth::kKeyReloadSeconds
      << " s\n";
  return 0;
}

int import_keys(const Config& config, const std::string& path, std::ostream& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "latchkey: cannot read " << path << "\n";
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto tools = open_key_tools(config);
  if (!tools) return failed(tools.error());
  auto added = (*tools)->keys->import_jwks(text.str(), auth::kSignerDelayUs);
  if (!added) return failed(added.error());
  for (const auto& k : *added) print_key(k, out);
  return 0;
}

}  // namespace latchkey::app
