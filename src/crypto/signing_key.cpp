#include "crypto/signing_key.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <new>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "crypto/base64url.hpp"

namespace latchkey::crypto {
namespace {

using nlohmann::json;

constexpr size_t kMacBytes = 32;  // HMAC-SHA256
constexpr size_t kMinSecretBytes = 32;
constexpr size_t kP256Bytes = 32;  // a P-256 coordinate, scalar, r or s
constexpr int kMinRsaBits = 2048;
// Anyone may send a token naming a key, so its size bounds the work one request can cause.
constexpr int kMaxRsaBits = 8192;
constexpr size_t kMaxKidBytes = 200;

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_clear_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;
using P8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, Deleter<PKCS8_PRIV_KEY_INFO_free>>;

// Decoded key bytes, wiped when they go out of scope.
struct Wiped {
  std::optional<std::string> bytes;
  Wiped() = default;
  Wiped(const Wiped&) = delete;
  Wiped& operator=(const Wiped&) = delete;
  ~Wiped() {
    if (bytes) OPENSSL_cleanse(bytes->data(), bytes->size());
  }
  const unsigned char* data() const {
    return reinterpret_cast<const unsigned char*>(bytes->data());
  }
  size_t size() const { return bytes->size(); }
};

core::Unexpected<Error> invalid(std::string detail) {
  ERR_clear_error();  // leave nothing queued that unrelated OpenSSL code on this thread would see
  return fail(Error::of(Errc::invalid_input, std::move(detail)));
}

bool valid_kid(std::string_view kid) {
  if (kid.empty() || kid.size() > kMaxKidBytes) return false;
  return std::all_of(kid.begin(), kid.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

void require_kid(std::string_view kid) {
  if (!valid_kid(kid)) throw std::invalid_argument("kid must be 1 to 200 printable ASCII chars");
}

// Ids let a thread's cached HMAC context tell keys apart even when a destroyed key's address
// is reused by a new one.
std::atomic<uint64_t> g_next_key_id{1};

// A few keyed HMAC contexts per thread, most recently used first. One is re-initialized (not
// re-keyed) for every token: HMAC costs ~0.35 us that way instead of ~1.2 us
// (shared/reference/perf-facts.md).
struct ThreadMacs {
  struct Slot {
    uint64_t key_id = 0;
    EVP_MAC_CTX* ctx = nullptr;
  };
  std::array<Slot, 4> slots{};
  ThreadMacs() = default;
  ThreadMacs(const ThreadMacs&) = delete;
  ThreadMacs& operator=(const ThreadMacs&) = delete;
  ~ThreadMacs() {
    for (auto& s : slots) EVP_MAC_CTX_free(s.ctx);  // frees (and OpenSSL wipes) the key copies
  }
};
thread_local ThreadMacs t_macs;

// A secure BIGNUM: OSSL_PARAM_BLD copies those into the block OSSL_PARAM_free wipes.
BnPtr to_bn(const Wiped& bytes) {
  BnPtr bn(BN_secure_new());
  if (!bn || !BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), bn.get()))
    throw std::bad_alloc();
  return bn;
}

std::string bn_bytes(const EVP_PKEY* pkey, const char* name, int pad_to = 0) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1)
    throw std::runtime_error("key has no parameter");
  BnPtr bn(raw);
  std::string out(pad_to ? pad_to : BN_num_bytes(bn.get()), '\0');
  const int n = pad_to
                    ? BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), pad_to)
                    : BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
  if (n != static_cast<int>(out.size())) throw std::runtime_error("key parameter too large");
  return out;
}

// nullptr if `pkey` is a sound private key for `alg`, else what is wrong with it.
const char* key_problem(JwsAlgorithm alg, EVP_PKEY* pkey) {
  if (alg == JwsAlgorithm::es256) {
    if (!EVP_PKEY_is_a(pkey, "EC")) return "not an EC key";
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &len) != 1) return "not a named curve";
    const std::string_view name(group, len);
    if (name != "prime256v1" && name != "P-256") return "curve must be P-256";
  } else {
    if (!EVP_PKEY_is_a(pkey, "RSA")) return "not an RSA key";
    const int bits = EVP_PKEY_get_bits(pkey);
    if (bits < kMinRsaBits || bits > kMaxRsaBits) return "RSA modulus must be 2048 to 8192 bits";
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx) throw std::bad_alloc();
  // The full check includes the pairwise one: a public part that is not the private part's
  // would publish a key whose signatures we never make (EC: x,y = d*G; RSA: n = p*q, e*d = 1).
  if (EVP_PKEY_check(ctx.get()) != 1) return "public part does not match the private part";
  return nullptr;
}

std::string digest_sign(EVP_PKEY* pkey, std::string_view input) {
  MdCtxPtr md(EVP_MD_CTX_new());
  if (!md) throw std::bad_alloc();
  std::string out(static_cast<size_t>(EVP_PKEY_get_size(pkey)), '\0');
  size_t len = out.size();
  if (EVP_DigestSignInit_ex(md.get(), nullptr, "SHA256", nullptr, nullptr, pkey, nullptr) != 1 ||
      EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    throw std::runtime_error("EVP_DigestSign failed");
  out.resize(len);
  return out;
}

bool digest_verify(EVP_PKEY* pkey, std::string_view input, const unsigned char* sig, size_t len) {
  MdCtxPtr md(EVP_MD_CTX_new());
  if (!md) throw std::bad_alloc();
  if (EVP_DigestVerifyInit_ex(md.get(), nullptr, "SHA256", nullptr, nullptr, pkey, nullptr) != 1)
    throw std::runtime_error("EVP_DigestVerifyInit failed");
  const int rc = EVP_DigestVerify(
      md.get(), sig, len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  if (rc != 1) ERR_clear_error();  // a bad signature queues errors; leave none behind
  return rc == 1;
}

// ES256 signatures are r||s (RFC 7518 3.4); OpenSSL speaks DER.
std::string der_to_raw(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) throw std::runtime_error("ECDSA signature not DER");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string out(2 * kP256Bytes, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  constexpr int kLen = static_cast<int>(kP256Bytes);
  if (BN_bn2binpad(r, o, kLen) != kLen || BN_bn2binpad(s, o + kLen, kLen) != kLen)
    throw std::runtime_error("ECDSA signature too large");
  return out;
}

std::string raw_to_der(std::string_view raw) {
  const auto* in = reinterpret_cast<const unsigned char*>(raw.data());
  BnPtr r(BN_bin2bn(in, kP256Bytes, nullptr));
  BnPtr s(BN_bin2bn(in + kP256Bytes, kP256Bytes, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) throw std::bad_alloc();
  r.release();  // owned by sig now
  s.release();
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) throw std::runtime_error("i2d_ECDSA_SIG failed");
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

// Reads base64url member `name` into `out`; nullopt, or the problem.
std::optional<std::string> read_b64(const json& jwk, const char* name, Wiped& out) {
  const auto it = jwk.find(name);
  if (it == jwk.end()) return std::string("jwk: ") + name + " missing";
  if (!it->is_string()) return std::string("jwk: ") + name + " must be a string";
  out.bytes = base64url_decode(it->get_ref<const std::string&>());
  if (!out.bytes || out.bytes->empty()) return std::string("jwk: ") + name + " is not base64url";
  return std::nullopt;
}

const std::string* string_member(const json& jwk, const char* name) {
  const auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

// EVP_PKEY_fromdata of a key pair, or nullptr if OpenSSL refuses the parameters.
PkeyPtr key_from_params(const char* type, OSSL_PARAM_BLD* bld) {
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!params || !ctx) throw std::bad_alloc();
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1)
    return nullptr;
  return PkeyPtr(raw);
}

}  // namespace

struct SigningKey::Impl {
  uint64_t id = g_next_key_id.fetch_add(1, std::memory_order_relaxed);
  std::string secret;            // HS256
  EVP_MAC_CTX* keyed = nullptr;  // HS256: the template every thread duplicates, never used
  std::mutex dup_mu;             // OpenSSL does not promise that concurrent dups are safe
  PkeyPtr pkey;                  // ES256, RS256
  size_t sig_size = 0;
  std::optional<json> public_jwk;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    EVP_MAC_CTX_free(keyed);
    OPENSSL_cleanse(secret.data(), secret.size());
  }

  // The calling thread's HMAC context for this key, ready for EVP_MAC_update.
  EVP_MAC_CTX* thread_mac() {
    auto& slots = t_macs.slots;
    for (size_t i = 0; i < slots.size(); ++i) {
      if (slots[i].key_id != id) continue;
      std::rotate(slots.begin(), slots.begin() + i, slots.begin() + i + 1);
      // A null key re-initializes HMAC with the key it already holds.
      if (EVP_MAC_init(slots[0].ctx, nullptr, 0, nullptr) != 1)
        throw std::runtime_error("EVP_MAC_init failed");
      return slots[0].ctx;
    }
    EVP_MAC_CTX* fresh = nullptr;
    {
      std::lock_guard lock(dup_mu);
      fresh = EVP_MAC_CTX_dup(keyed);
    }
    if (!fresh) throw std::bad_alloc();
    EVP_MAC_CTX_free(slots.back().ctx);  // the least recently used
    slots.back() = {id, fresh};
    std::rotate(slots.begin(), slots.end() - 1, slots.end());
    return fresh;  // a fresh dup is already initialized
  }

  std::array<unsigned char, kMacBytes> mac(std::string_view input) {
    EVP_MAC_CTX* ctx = thread_mac();
    std::array<unsigned char, kMacBytes> out{};
    size_t len = 0;
    if (EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(input.data()), input.size()) !=
            1 ||
        EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1 || len != out.size())
      throw std::runtime_error("HMAC-SHA256 failed");
    return out;
  }

  static std::unique_ptr<Impl> hmac(std::string secret) {
    auto impl = std::make_unique<Impl>();
    impl->secret = std::move(secret);
    impl->sig_size = kMacBytes;
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    if (!mac) throw std::runtime_error("OpenSSL has no HMAC");
    impl->keyed = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // the context holds its own reference
    if (!impl->keyed) throw std::bad_alloc();
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_init(impl->keyed, reinterpret_cast<const unsigned char*>(impl->secret.data()),
                     impl->secret.size(), params) != 1)
      throw std::runtime_error("EVP_MAC_init(HMAC-SHA256) failed");
    return impl;
  }

  // For a key key_problem() accepted.
  static std::unique_ptr<Impl> asymmetric(JwsAlgorithm alg, const std::string& kid, PkeyPtr pkey) {
    auto impl = std::make_unique<Impl>();
    json jwk;
    if (alg == JwsAlgorithm::es256) {
      impl->sig_size = 2 * kP256Bytes;
      jwk = {{"kty", "EC"},
             {"crv", "P-256"},
             {"x", base64url_encode(bn_bytes(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, kP256Bytes))},
             {"y", base64url_encode(bn_bytes(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, kP256Bytes))}};
    } else {
      impl->sig_size = static_cast<size_t>(EVP_PKEY_get_size(pkey.get()));
      jwk = {{"kty", "RSA"},
             {"n", base64url_encode(bn_bytes(pkey.get(), OSSL_PKEY_PARAM_RSA_N))},
             {"e", base64url_encode(bn_bytes(pkey.get(), OSSL_PKEY_PARAM_RSA_E))}};
    }
    jwk["kid"] = kid;
    jwk["alg"] = std::string(algorithm_name(alg));
    jwk["use"] = "sig";
    jwk["key_ops"] = json::array({"verify"});
    impl->public_jwk = std::move(jwk);
    impl->pkey = std::move(pkey);
    return impl;
  }
};

std::string_view algorithm_name(JwsAlgorithm alg) {
  switch (alg) {
    case JwsAlgorithm::hs256:
      return "HS256";
    case JwsAlgorithm::es256:
      return "ES256";
    case JwsAlgorithm::rs256:
      return "RS256";
  }
  return "";
}

std::optional<JwsAlgorithm> parse_algorithm(std::string_view name) {
  for (auto alg : {JwsAlgorithm::hs256, JwsAlgorithm::es256, JwsAlgorithm::rs256})
    if (name == algorithm_name(alg)) return alg;
  return std::nullopt;
}

SigningKey::SigningKey(JwsAlgorithm alg, std::string kid, std::unique_ptr<Impl> impl)
    : alg_(alg), kid_(std::move(kid)), impl_(std::move(impl)) {}

SigningKey::~SigningKey() = default;

std::shared_ptr<const SigningKey> SigningKey::make(JwsAlgorithm alg, std::string kid,
                                                   std::unique_ptr<Impl> impl) {
  return std::shared_ptr<const SigningKey>(new SigningKey(alg, std::move(kid), std::move(impl)));
}

std::shared_ptr<const SigningKey> SigningKey::generate(JwsAlgorithm alg, std::string kid) {
  require_kid(kid);
  PkeyPtr pkey;
  switch (alg) {
    case JwsAlgorithm::hs256: {
      std::string secret(kMinSecretBytes, '\0');
      if (RAND_priv_bytes(reinterpret_cast<unsigned char*>(secret.data()),
                          static_cast<int>(secret.size())) != 1)
        throw std::runtime_error("RAND_priv_bytes failed");
      return from_secret(std::move(kid), std::move(secret));
    }
    case JwsAlgorithm::es256:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
      break;
    case JwsAlgorithm::rs256:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
      break;
  }
  if (!pkey) throw std::runtime_error("key generation failed");
  auto impl = Impl::asymmetric(alg, kid, std::move(pkey));
  return make(alg, std::move(kid), std::move(impl));
}

std::shared_ptr<const SigningKey> SigningKey::from_secret(std::string kid, std::string secret) {
  // A short HS256 key can be brute-forced offline from any one token.
  if (secret.size() < kMinSecretBytes) {
    OPENSSL_cleanse(secret.data(), secret.size());
    throw std::invalid_argument("JWT secret must be at least 32 bytes");
  }
  require_kid(kid);
  return make(JwsAlgorithm::hs256, std::move(kid), Impl::hmac(std::move(secret)));
}

Result<std::shared_ptr<const SigningKey>> SigningKey::from_private_jwk(const json& jwk) {
  if (!jwk.is_object()) return invalid("jwk: not a JSON object");
  const std::string* kid = string_member(jwk, "kid");
  if (!kid || !valid_kid(*kid)) return invalid("jwk: kid must be 1 to 200 printable ASCII chars");
  const std::string* kty = string_member(jwk, "kty");
  if (!kty) return invalid("jwk: kty missing or not a string");
  const std::string* alg_name = string_member(jwk, "alg");
  if (!alg_name) return invalid("jwk: alg missing or not a string");
  const auto alg = parse_algorithm(*alg_name);

  // The key fixes the algorithm, so the pairing is checked once here.
  if (*kty == "oct") {
    if (alg != JwsAlgorithm::hs256) return invalid("jwk: kty oct needs alg HS256");
    if (!jwk.contains("k")) return invalid("jwk: k missing");
    Wiped k;
    if (auto problem = read_b64(jwk, "k", k)) return invalid(std::move(*problem));
    if (k.size() < kMinSecretBytes) return invalid("jwk: k must be at least 32 bytes");
    return from_secret(*kid, std::string(*k.bytes));
  }

  PkeyPtr pkey;
  if (*kty == "EC") {
    if (alg != JwsAlgorithm::es256) return invalid("jwk: kty EC needs alg ES256");
    const std::string* crv = string_member(jwk, "crv");
    if (!crv || *crv != "P-256") return invalid("jwk: crv must be P-256");
    if (!jwk.contains("d")) return invalid("jwk: d missing: a public JWK cannot sign");
    Wiped x, y, d;
    for (auto [name, out] : {std::pair{"x", &x}, std::pair{"y", &y}, std::pair{"d", &d}}) {
      if (auto problem = read_b64(jwk, name, *out)) return invalid(std::move(*problem));
      // RFC 7518 6.2.1.2, 6.2.2.1: full-length octets, leading zeros kept.
      if (out->size() != kP256Bytes)
        return invalid(std::string("jwk: ") + name + " must be 32 bytes");
    }
    std::string point = "\x04";  // uncompressed SEC 1 point
    point += *x.bytes;
    point += *y.bytes;
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    const BnPtr d_bn = to_bn(d);
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                          point.size()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d_bn.get()))
      throw std::bad_alloc();
    pkey = key_from_params("EC", bld.get());
    if (!pkey) return invalid("jwk: x, y is not a point on P-256");
  } else if (*kty == "RSA") {
    if (alg != JwsAlgorithm::rs256) return invalid("jwk: kty RSA needs alg RS256");
    if (!jwk.contains("d")) return invalid("jwk: d missing: a public JWK cannot sign");
    if (jwk.contains("oth")) return invalid("jwk: multi-prime RSA (oth) is not supported");
    static constexpr std::pair<const char*, const char*> kMembers[] = {
        {"n", OSSL_PKEY_PARAM_RSA_N},          {"e", OSSL_PKEY_PARAM_RSA_E},
        {"d", OSSL_PKEY_PARAM_RSA_D},          {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
        {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},    {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
        {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2}, {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
    };
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld) throw std::bad_alloc();
    std::vector<BnPtr> values;  // alive until the params are built
    for (const auto& [name, param] : kMembers) {
      Wiped bytes;
      if (auto problem = read_b64(jwk, name, bytes)) return invalid(std::move(*problem));
      values.push_back(to_bn(bytes));
      if (!OSSL_PARAM_BLD_push_BN(bld.get(), param, values.back().get())) throw std::bad_alloc();
    }
    // Checked before the pairwise check, whose cost grows with the modulus.
    const int bits = BN_num_bits(values[0].get());
    if (bits < kMinRsaBits || bits > kMaxRsaBits)
      return invalid("jwk: RSA modulus must be 2048 to 8192 bits");
    pkey = key_from_params("RSA", bld.get());
    if (!pkey) return invalid("jwk: RSA parameters refused");
  } else {
    return invalid("jwk: kty must be EC, RSA or oct");
  }
  if (const char* problem = key_problem(*alg, pkey.get()))
    return invalid(std::string("jwk: ") + problem);
  auto impl = Impl::asymmetric(*alg, *kid, std::move(pkey));
  return make(*alg, *kid, std::move(impl));
}

std::string SigningKey::private_material() const {
  if (alg_ == JwsAlgorithm::hs256) return impl_->secret;
  P8Ptr p8(EVP_PKEY2PKCS8(impl_->pkey.get()));
  if (!p8) throw std::runtime_error("EVP_PKEY2PKCS8 failed");
  unsigned char* der = nullptr;
  const int len = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &der);
  if (len <= 0) throw std::runtime_error("i2d_PKCS8_PRIV_KEY_INFO failed");
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_clear_free(der, static_cast<size_t>(len));
  return out;
}

Result<std::shared_ptr<const SigningKey>> SigningKey::from_private_material(
    JwsAlgorithm alg, std::string kid, std::string_view material) {
  if (!valid_kid(kid)) return invalid("key: kid must be 1 to 200 printable ASCII chars");
  if (alg == JwsAlgorithm::hs256) {
    if (material.size() < kMinSecretBytes) return invalid("key: HS256 secret under 32 bytes");
    return from_secret(std::move(kid), std::string(material));
  }
  const auto* p = reinterpret_cast<const unsigned char*>(material.data());
  P8Ptr p8(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(material.size())));
  if (!p8 || p != reinterpret_cast<const unsigned char*>(material.data() + material.size()))
    return invalid("key: not PKCS#8 DER");
  PkeyPtr pkey(EVP_PKCS82PKEY(p8.get()));
  if (!pkey) return invalid("key: unreadable PKCS#8 key");
  if (const char* problem = key_problem(alg, pkey.get()))
    return invalid(std::string("key: ") + problem);
  auto impl = Impl::asymmetric(alg, kid, std::move(pkey));
  return make(alg, std::move(kid), std::move(impl));
}

std::optional<json> SigningKey::public_jwk() const { return impl_->public_jwk; }

size_t SigningKey::signature_size() const { return impl_->sig_size; }

std::string SigningKey::sign(std::string_view signing_input) const {
  switch (alg_) {
    case JwsAlgorithm::hs256: {
      const auto mac = impl_->mac(signing_input);
      return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
    }
    case JwsAlgorithm::es256:
      return der_to_raw(digest_sign(impl_->pkey.get(), signing_input));
    case JwsAlgorithm::rs256:
      return digest_sign(impl_->pkey.get(), signing_input);
  }
  throw std::logic_error("unknown JwsAlgorithm");
}

bool SigningKey::verify(std::string_view signing_input, std::string_view signature) const {
  if (signature.size() != impl_->sig_size) return false;
  switch (alg_) {
    case JwsAlgorithm::hs256: {
      const auto mac = impl_->mac(signing_input);
      // Constant time: an early exit would reveal how much of a forged MAC is right.
      return CRYPTO_memcmp(mac.data(), signature.data(), mac.size()) == 0;
    }
    case JwsAlgorithm::es256: {
      const std::string der = raw_to_der(signature);
      return digest_verify(impl_->pkey.get(), signing_input,
                           reinterpret_cast<const unsigned char*>(der.data()), der.size());
    }
    case JwsAlgorithm::rs256:
      return digest_verify(impl_->pkey.get(), signing_input,
                           reinterpret_cast<const unsigned char*>(signature.data()),
                           signature.size());
  }
  return false;
}

}  // namespace latchkey::crypto
