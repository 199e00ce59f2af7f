#include "crypto/jwt.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/uuid.hpp"
#include "crypto/base64url.hpp"
#include "crypto/jwt_claims.hpp"

namespace latchkey::crypto {
namespace {

using nlohmann::json;

constexpr char kPublicMessage[] = "Could not validate credentials";
constexpr char kProjectKidLabel[] = "latchkey project key id";
constexpr size_t kProjectKidHexDigits = 16;

core::Unexpected<Error> reject(const char* detail) {
  return fail(Error::make(ErrorCode::bad_jwt, kPublicMessage, std::string(detail)));
}

core::Unexpected<Error> expired() {
  return fail(Error::make(ErrorCode::token_expired, kPublicMessage, "token_expired"));
}

// Ids let a thread's cached ring tell codecs apart even when a destroyed codec's address is
// reused by a new one.
std::atomic<uint64_t> g_next_codec_id{1};

// Parses `text` as JSON, refusing duplicate object keys. Parsers disagree on which duplicate
// wins, so a token whose claims depend on that choice is refused instead of interpreted.
// Returns a discarded value on any syntax error, invalid UTF-8 or duplicate.
json parse_strict(std::string_view text) {
  std::vector<std::vector<std::string>> open_objects;
  bool duplicate = false;
  json j = json::parse(
      text.begin(), text.end(),
      [&](int /*depth*/, json::parse_event_t event, json& parsed) {
        switch (event) {
          case json::parse_event_t::object_start:
            open_objects.emplace_back();
            break;
          case json::parse_event_t::object_end:
            open_objects.pop_back();
            break;
          case json::parse_event_t::key: {
            auto& keys = open_objects.back();
            const auto& key = parsed.get_ref<const std::string&>();
            for (const auto& k : keys) duplicate |= (k == key);
            keys.push_back(key);
            break;
          }
          default:
            break;
        }
        return true;
      },
      /*allow_exceptions=*/false);
  if (duplicate) return json(json::value_t::discarded);
  return j;
}

const std::string* string_claim(const json& obj, const char* name) {
  const auto it = obj.find(name);
  if (it == obj.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

bool is_uuid(const std::optional<std::string>& s) { return s && core::Uuid::parse(*s).has_value(); }

std::string header_b64_of(const SigningKey& key) {
  return base64url_encode(
      json{{"alg", algorithm_name(key.algorithm())}, {"kid", key.kid()}, {"typ", "JWT"}}.dump());
}

}  // namespace

namespace detail {

// One immutable key set, shared by every thread that verifies with it. Holds no pointer to
// its codec, so a thread's cached copy may outlive the codec safely.
struct KeyRing {
  struct Key {
    std::shared_ptr<const SigningKey> key;
    std::string header_b64;  // what sign() writes for this key
  };
  std::vector<Key> keys;  // [0] is the project key
  // Header segments sign() writes (and the kid-less one of older tokens and API keys): a
  // token carrying one needs no JSON parse of its header.
  std::unordered_map<std::string_view, const Key*> by_header;
  std::unordered_map<std::string_view, const Key*> by_kid;
  std::vector<std::pair<int64_t, const Key*>> signers;  // sorted by time
  std::string legacy_header_b64;
  std::string jwks;

  KeyRing(std::shared_ptr<const SigningKey> project, KeySet set) {
    keys.reserve(set.keys.size() + 1);  // never reallocated: the maps point into it
    keys.push_back({project, header_b64_of(*project)});
    for (auto& k : set.keys) {
      if (!k) throw std::invalid_argument("KeySet: null key");
      std::string header = header_b64_of(*k);
      keys.push_back({std::move(k), std::move(header)});
    }
    json public_keys = json::array();
    for (const Key& k : keys) {
      if (!by_kid.emplace(k.key->kid(), &k).second)
        throw std::invalid_argument("KeySet: kid used twice");
      by_header.emplace(k.header_b64, &k);
      if (auto jwk = k.key->public_jwk()) public_keys.push_back(std::move(*jwk));
    }
    legacy_header_b64 = base64url_encode(json{{"alg", "HS256"}, {"typ", "JWT"}}.dump());
    by_header.emplace(legacy_header_b64, &keys[0]);
    jwks = json{{"keys", std::move(public_keys)}}.dump();

    for (const auto& [from, kid] : set.signers) {
      const auto it = by_kid.find(kid);
      if (it == by_kid.end()) throw std::invalid_argument("KeySet: signer names no key");
      signers.emplace_back(from, it->second);
    }
    std::stable_sort(signers.begin(), signers.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;

  const Key& signer_at(int64_t t) const {
    const auto it = std::upper_bound(signers.begin(), signers.end(), t,
                                     [](int64_t v, const auto& s) { return v < s.first; });
    return it == signers.begin() ? keys[0] : *std::prev(it)->second;
  }

  // The key a header segment names, or nullptr and the rejection detail in `problem`. Even a
  // correctly signed header must say exactly what we issue, so a token minted for another
  // algorithm or with extensions we do not implement is never accepted.
  const Key* key_for(std::string_view b64, const char*& problem) const {
    // Fast path: a header sign() writes (saves a JSON parse on every request).
    if (const auto it = by_header.find(b64); it != by_header.end()) return it->second;
    const auto refuse = [&](const char* why) -> const Key* {
      problem = why;
      return nullptr;
    };
    const auto text = base64url_decode(b64);
    if (!text) return refuse("malformed_token");
    const json header = parse_strict(*text);
    if (!header.is_object()) return refuse("malformed_token");
    const std::string* alg = string_claim(header, "alg");
    if (!alg) return refuse("bad_alg");
    // RFC 7515 4.1.11: a recipient must refuse extensions listed in crit it does not
    // implement; we implement none.
    if (header.contains("crit")) return refuse("unsupported_crit");
    if (header.contains("typ")) {
      const std::string* typ = string_claim(header, "typ");
      if (!typ || *typ != "JWT") return refuse("bad_typ");
    }
    const Key* key = &keys[0];  // no kid: issued before kids existed, by the project key
    if (header.contains("kid")) {
      const std::string* kid = string_claim(header, "kid");
      if (!kid) return refuse("bad_kid");
      const auto it = by_kid.find(*kid);
      if (it == by_kid.end()) return refuse("unknown_kid");
      key = it->second;
    }
    // The key fixes the algorithm: alg none, or an HS256 token "signed" with an ES256 key's
    // public part as the HMAC secret, names a key that refuses it.
    if (*alg != algorithm_name(key->key->algorithm())) return refuse("bad_alg");
    return key;
  }
};

}  // namespace detail

namespace {

// A few codecs' rings per thread, most recently used first; a slot is re-read only when its
// codec's version moved on.
struct ThreadRings {
  struct Slot {
    uint64_t codec_id = 0;
    uint64_t version = 0;
    std::shared_ptr<const detail::KeyRing> ring;
  };
  std::array<Slot, 4> slots{};
};
thread_local ThreadRings t_rings;

std::shared_ptr<const SigningKey> project_key(std::string secret) {
  std::string kid = JwtCodec::project_kid(secret);
  return SigningKey::from_secret(std::move(kid), std::move(secret));
}

}  // namespace

JwtCodec::JwtCodec(std::string secret, JwtPolicy policy)
    : id_(g_next_codec_id.fetch_add(1, std::memory_order_relaxed)),
      policy_(std::move(policy)),
      // A short HS256 key can be brute-forced offline from any one token; from_secret throws.
      // Config validates the secret with a proper message first, so that would be a bug.
      project_(project_key(std::move(secret))),
      ring_(std::make_shared<const detail::KeyRing>(project_, KeySet{})) {}

JwtCodec::~JwtCodec() = default;

std::string JwtCodec::project_kid(std::string_view secret) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t len = 0;
  // A MAC keyed by the secret: one-way, so publishing the kid says nothing about the secret.
  if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                 reinterpret_cast<const unsigned char*>(kProjectKidLabel),
                 sizeof kProjectKidLabel - 1, mac, sizeof mac, &len))
    throw std::runtime_error("HMAC-SHA256 failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string kid;
  for (size_t i = 0; i < kProjectKidHexDigits / 2; ++i) {
    kid += kHex[mac[i] >> 4];
    kid += kHex[mac[i] & 0xf];
  }
  return kid;
}

const std::string& JwtCodec::project_kid() const { return project_->kid(); }

void JwtCodec::set_keys(KeySet keys) {
  auto ring = std::make_shared<const detail::KeyRing>(project_, std::move(keys));
  std::shared_ptr<const detail::KeyRing> old;
  {
    std::lock_guard lock(mu_);
    old = std::exchange(ring_, std::move(ring));
    version_.fetch_add(1, std::memory_order_release);
  }
}  // the old ring goes (unless a thread still caches it) outside the lock

const detail::KeyRing& JwtCodec::ring() const {
  auto& slots = t_rings.slots;
  const uint64_t version = version_.load(std::memory_order_acquire);
  size_t i = 0;
  while (i < slots.size() && slots[i].codec_id != id_) ++i;
  if (i == slots.size()) {
    i = slots.size() - 1;  // evicts the least recently used
    slots[i] = {id_, 0, nullptr};
  }
  if (i != 0) std::rotate(slots.begin(), slots.begin() + i, slots.begin() + i + 1);
  ThreadRings::Slot& slot = slots[0];
  if (slot.version != version) {
    std::lock_guard lock(mu_);
    slot.ring = ring_;
    slot.version = version_.load(std::memory_order_relaxed);
  }
  return *slot.ring;
}

std::string JwtCodec::jwks() const { return ring().jwks; }

static std::string signed_token(const SigningKey& key, const std::string& header_b64,
                                const std::string& payload_json) {
  std::string token = header_b64;
  token += '.';
  token += base64url_encode(payload_json);
  const std::string sig = key.sign(token);
  token += '.';
  token += base64url_encode(sig);
  return token;
}

// The stored metadata text as a JSON value; an object is all we ever store, anything else
// (which would be a bug) becomes {}.
static json metadata_object(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : json::object();
}

std::string JwtCodec::sign(const AccessClaims& claims) const {
  json amr = json::array();
  for (const auto& m : claims.amr)
    amr.push_back({{"method", m.method}, {"timestamp", m.timestamp}});
  json payload = {
      {"sub", claims.sub},
      {"email", claims.email},
      {"phone", claims.phone},
      {"role", claims.role},
      {"aud", claims.aud},
      {"iss", claims.iss},
      {"iat", claims.iat},
      {"exp", claims.exp},
      {"session_id", claims.session_id},
      {"app_metadata", metadata_object(claims.app_metadata)},
      {"user_metadata", metadata_object(claims.user_metadata)},
      {"aal", claims.aal},
      {"amr", std::move(amr)},
      {"is_anonymous", claims.is_anonymous},
  };
  if (claims.nbf) payload["nbf"] = *claims.nbf;
  // dump() throws on invalid UTF-8; claims come from validated data, so that would be a bug.
  const auto& key = ring().signer_at(claims.iat);
  return signed_token(*key.key, key.header_b64, payload.dump());
}

std::string JwtCodec::sign_api_key(const ApiKeyClaims& claims) const {
  json payload = {{"iss", policy_.issuer}, {"role", claims.role}, {"iat", claims.iat}};
  if (claims.exp) payload["exp"] = *claims.exp;
  return signed_token(*project_, ring().keys[0].header_b64, payload.dump());
}

Result<detail::RawClaims> JwtCodec::signed_claims(std::string_view token) const {
  // Bound all work an unauthenticated client can cause before touching the content.
  if (token.size() > policy_.max_token_bytes) return reject("token_too_large");
  const size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return reject("malformed_token");
  const size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return reject("malformed_token");

  // The header picks the key (tokens sign() writes by a map lookup, others through a strict
  // parse of a size-bounded header), the key fixes the algorithm, and the payload is parsed
  // only once the signature holds: the claims parser only ever sees bytes we signed.
  const char* problem = nullptr;
  const auto* key = ring().key_for(token.substr(0, dot1), problem);
  if (!key) return reject(problem);
  const auto sig = base64url_decode(token.substr(dot2 + 1));
  if (!sig || sig->size() != key->key->signature_size()) return reject("malformed_token");
  if (!key->key->verify(token.substr(0, dot2), *sig)) return reject("bad_signature");

  const auto payload_text = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload_text) return reject("malformed_token");
  auto claims = detail::read_claims(*payload_text);
  if (!claims) return reject("malformed_claims");
  return std::move(*claims);
}

Result<AccessClaims> JwtCodec::verify(std::string_view token, int64_t now_s) const {
  auto claims = signed_claims(token);
  if (!claims) return fail(std::move(claims).error());
  auto& c = *claims;
  if (!is_uuid(c.sub) || !is_uuid(c.session_id) || !c.email || !c.role || !c.iss || !c.iat ||
      !c.exp || !c.has_aud)
    return reject("malformed_claims");

  if (*c.iss != policy_.issuer) return reject("wrong_issuer");
  // RFC 7519 4.1.3: aud is a string or an array of strings; ours must be among them.
  if (std::find(c.aud.begin(), c.aud.end(), policy_.audience) == c.aud.end())
    return reject("wrong_audience");

  // Leeway absorbs clock skew between nodes. Written as comparisons against now +/- leeway
  // (trusted values) so that extreme claim values cannot overflow.
  if (*c.exp <= now_s - policy_.leeway_s) return expired();
  if (*c.iat > now_s + policy_.leeway_s) return reject("token_issued_in_future");
  if (c.nbf && *c.nbf > now_s + policy_.leeway_s) return reject("token_not_yet_valid");

  AccessClaims out;
  out.sub = std::move(*c.sub);
  out.email = std::move(*c.email);
  out.role = std::move(*c.role);
  out.aud = policy_.audience;
  out.iss = std::move(*c.iss);
  out.iat = *c.iat;
  out.exp = *c.exp;
  out.nbf = c.nbf;
  out.session_id = std::move(*c.session_id);
  return out;
}

Result<ApiKeyClaims> JwtCodec::verify_api_key(std::string_view token, int64_t now_s) const {
  auto claims = signed_claims(token);
  if (!claims) return fail(std::move(claims).error());
  auto& c = *claims;
  // A user's access token names a user (sub); a key never does, so one cannot pass as the
  // other.
  if (!c.role || c.sub) return reject("not_an_api_key");
  if (c.exp && *c.exp <= now_s - policy_.leeway_s) return expired();
  return ApiKeyClaims{std::move(*c.role), c.iat.value_or(0), c.exp};
}

}  // namespace latchkey::crypto
