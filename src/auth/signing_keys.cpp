#include "auth/signing_keys.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "core/uuid.hpp"
#include "crypto/seal.hpp"

namespace latchkey::auth {
namespace {

using nlohmann::json;

constexpr auto kSealPurpose = crypto::SealPurpose::stored_secret;
constexpr std::string_view kProjectOrigin = "server secret";

Error invalid(std::string detail) {
  return Error::make(ErrorCode::validation_failed, detail, detail);
}

// The stored keys that sign at `now`: the latest whose time has come.
const store::SigningKeyRecord* signer_at(const std::vector<store::SigningKeyRecord>& stored,
                                         core::Micros now) {
  const store::SigningKeyRecord* best = nullptr;
  for (const auto& k : stored) {
    if (k.retired_at || !k.signs_from || *k.signs_from > now) continue;
    if (!best || *k.signs_from >= *best->signs_from) best = &k;
  }
  return best;
}

bool signs_later(const store::SigningKeyRecord& k, core::Micros now) {
  return !k.retired_at && k.signs_from && *k.signs_from > now;
}

std::string fingerprint(const std::vector<store::SigningKeyRecord>& stored) {
  std::string out;
  for (const auto& k : stored) {
    if (k.retired_at) continue;
    out += k.kid + '\n' + std::to_string(k.signs_from.value_or(-1)) + '\n';
  }
  return out;
}

}  // namespace

std::string_view state_name(KeyState state) {
  switch (state) {
    case KeyState::signing:
      return "signing";
    case KeyState::next:
      return "next";
    case KeyState::retired:
      return "retired";
    case KeyState::verifying:
      break;
  }
  return "verifying";
}

SigningKeys::SigningKeys(store::SigningKeyStore& store, crypto::JwtCodec& jwt,
                         std::string server_secret, const core::Clock& clock,
                         core::RandomSource& random)
    : store_(store),
      jwt_(jwt),
      server_secret_(std::move(server_secret)),
      clock_(clock),
      random_(random) {}

SigningKeys::~SigningKeys() { OPENSSL_cleanse(server_secret_.data(), server_secret_.size()); }

store::SigningKeyRecord SigningKeys::record_of(const crypto::SigningKey& key, std::string origin,
                                               std::optional<core::Micros> signs_from) const {
  store::SigningKeyRecord r;
  r.kid = key.kid();
  r.algorithm = std::string(crypto::algorithm_name(key.algorithm()));
  std::string material = key.private_material();
  r.private_sealed = crypto::seal(server_secret_, kSealPurpose, material, random_);
  OPENSSL_cleanse(material.data(), material.size());
  if (auto jwk = key.public_jwk()) r.public_jwk = jwk->dump();
  r.origin = std::move(origin);
  r.created_at = clock_.now_us();
  r.signs_from = signs_from;
  return r;
}

Result<void> SigningKeys::ensure_signer(crypto::JwsAlgorithm algorithm) {
  if (algorithm == crypto::JwsAlgorithm::hs256) return {};
  auto stored = store_.list_keys();
  if (!stored) return fail(std::move(stored).error());
  const bool any_signer = std::any_of(stored->begin(), stored->end(),
                                      [](const auto& k) { return k.signs_from && !k.retired_at; });
  if (any_signer) return {};
  auto key = crypto::SigningKey::generate(algorithm, core::Uuid::random_v4(random_).str());
  // No other key signs yet, so nobody has to learn this one before it is used.
  auto added = store_.add_first_signer(record_of(*key, "generated", clock_.now_us()));
  if (!added) return fail(std::move(added).error());
  return {};
}

Result<void> SigningKeys::reload() {
  std::lock_guard lock(reload_mu_);
  auto stored = store_.list_keys();
  if (!stored) return fail(std::move(stored).error());
  auto print = fingerprint(*stored);
  if (print == loaded_) return {};
  crypto::KeySet set;
  for (const auto& k : *stored) {
    if (k.retired_at) continue;
    const auto algorithm = crypto::parse_algorithm(k.algorithm);
    auto material = crypto::open_sealed(server_secret_, kSealPurpose, k.private_sealed);
    if (!algorithm || !material) {
      return fail(Error::startup(
          Errc::internal,
          "signing key " + k.kid +
              " cannot be opened with this server's secret (was LATCHKEY_JWT_SECRET changed?)",
          "signing key seal does not open: " + k.kid));
    }
    auto key = crypto::SigningKey::from_private_material(*algorithm, k.kid, *material);
    OPENSSL_cleanse(material->data(), material->size());
    if (!key) return fail(std::move(key).error());
    set.keys.push_back(std::move(*key));
    // Rounded up: the codec, which sees whole seconds, never starts a key early.
    if (k.signs_from) set.signers.emplace_back((*k.signs_from + 999'999) / 1'000'000, k.kid);
  }
  try {
    jwt_.set_keys(std::move(set));
  } catch (const std::invalid_argument& e) {
    // A stored kid equal to the project key's, or twice: the codec keeps its keys.
    return fail(Error::startup(Errc::internal, "the stored signing keys are inconsistent",
                               std::string("signing keys refused: ") + e.what()));
  }
  loaded_ = std::move(print);
  return {};
}

Result<SigningKeyInfo> SigningKeys::rotate(crypto::JwsAlgorithm algorithm, core::Micros delay) {
  auto key = crypto::SigningKey::generate(algorithm, core::Uuid::random_v4(random_).str());
  auto record = record_of(*key, "generated", clock_.now_us() + delay);
  if (auto added = store_.add_keys({record}); !added) return fail(std::move(added).error());
  auto listed = describe({record});
  return listed.back();
}

Result<void> SigningKeys::retire(std::string_view kid) {
  if (kid == jwt_.project_kid()) {
    return fail(Error::make(ErrorCode::conflict,
                            "the server secret's key cannot be retired: change the secret",
                            "retire project key"));
  }
  auto stored = store_.list_keys();
  if (!stored) return fail(std::move(stored).error());
  const auto now = clock_.now_us();
  const auto* signer = signer_at(*stored, now);
  for (const auto& k : *stored) {
    if (k.kid != kid) continue;
    if (&k == signer || signs_later(k, now)) {
      return fail(Error::make(ErrorCode::conflict,
                              "key " + k.kid + " signs tokens: rotate to a new key first",
                              "retire signer"));
    }
    return store_.retire_key(kid, now);
  }
  return fail(Error::make(ErrorCode::not_found, "no signing key " + std::string(kid),
                          "retire unknown kid"));
}

Result<std::vector<SigningKeyInfo>> SigningKeys::import_jwks(std::string_view text,
                                                             core::Micros delay) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("keys")) parsed = parsed["keys"];
  if (!parsed.is_array() || parsed.empty())
    return fail(invalid("expected a JSON array of JWKs, or {\"keys\": [...]}"));
  auto stored = store_.list_keys();
  if (!stored) return fail(std::move(stored).error());
  std::set<std::string> kids{jwt_.project_kid()};
  for (const auto& k : *stored) kids.insert(k.kid);

  std::vector<store::SigningKeyRecord> records;
  bool have_signer = false;
  for (size_t i = 0; i < parsed.size(); ++i) {
    const json& jwk = parsed[i];
    const std::string where = "key " + std::to_string(i + 1);
    auto key = crypto::SigningKey::from_private_jwk(jwk);
    if (!key) return fail(invalid(where + ": " + key.error().detail));
    const std::string& kid = (*key)->kid();
    if (!kids.insert(kid).second) {
      return fail(Error::make(ErrorCode::conflict, where + ": kid " + kid + " is already known",
                              "import duplicate kid"));
    }
    bool signs = false;
    if (auto ops = jwk.find("key_ops"); ops != jwk.end()) {
      if (!ops->is_array()) return fail(invalid(where + ": key_ops must be an array"));
      signs = std::find(ops->begin(), ops->end(), json("sign")) != ops->end();
    }
    if (signs && have_signer)
      return fail(invalid(where + ": only one key may have \"sign\" in key_ops"));
    have_signer |= signs;
    std::optional<core::Micros> signs_from;
    if (signs) signs_from = clock_.now_us() + delay;
    records.push_back(record_of(**key, "imported", signs_from));
  }
  if (auto added = store_.add_keys(records); !added) return fail(std::move(added).error());
  return describe(records);
}

std::vector<SigningKeyInfo> SigningKeys::describe(
    const std::vector<store::SigningKeyRecord>& stored) const {
  const auto now = clock_.now_us();
  const auto* signer = signer_at(stored, now);
  std::vector<SigningKeyInfo> out;
  out.reserve(stored.size());
  for (const auto& k : stored) {
    SigningKeyInfo info{k.kid,        k.algorithm,  k.origin,    KeyState::verifying,
                        k.created_at, k.signs_from, k.retired_at};
    if (k.retired_at) {
      info.state = KeyState::retired;
    } else if (&k == signer) {
      info.state = KeyState::signing;
    } else if (signs_later(k, now)) {
      info.state = KeyState::next;
    }
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::vector<SigningKeyInfo>> SigningKeys::list() {
  auto stored = store_.list_keys();
  if (!stored) return fail(std::move(stored).error());
  std::vector<SigningKeyInfo> out;
  SigningKeyInfo project{jwt_.project_kid(),  "HS256", std::string(kProjectOrigin),
                         KeyState::verifying, 0,       std::nullopt,
                         std::nullopt};
  if (!signer_at(*stored, clock_.now_us())) project.state = KeyState::signing;
  out.push_back(std::move(project));
  for (auto& info : describe(*stored)) out.push_back(std::move(info));
  return out;
}

}  // namespace latchkey::auth
