// Microbenchmarks for the per-request crypto: token sign/verify, base64url, and the login hash.
// Compare against shared/reference/perf-facts.md (HS256 issue ~1.5 us, verify ~1.8 us;
// base64url 400 B 0.22/0.41 us; Argon2id m=19 MiB t=2 ~17 ms). ES256 and RS256 tokens cost
// what their signatures cost (OpenSSL's P-256 and RSA-2048).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "crypto/base64url.hpp"
#include "crypto/digest.hpp"
#include "crypto/jwt.hpp"
#include "crypto/password_hasher.hpp"
#include "crypto/signing_key.hpp"

namespace latchkey::crypto {
namespace {

constexpr int64_t kNow = 1'700'000'000;

AccessClaims claims() {
  AccessClaims c;
  c.sub = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  c.email = "alice@example.com";
  c.role = "authenticated";
  c.aud = "authenticated";
  c.iss = "latchkey";
  c.iat = kNow;
  c.exp = kNow + 3600;
  c.nbf = std::nullopt;
  c.session_id = "0b5fa1de-6d8a-4f61-9a52-5d1b1d3c6a11";
  return c;
}

const JwtCodec& codec() {
  static const JwtCodec c(std::string(48, 'k'), JwtPolicy{});
  return c;
}

void BM_JwtSign(benchmark::State& state) {
  const auto c = claims();
  for (auto _ : state) benchmark::DoNotOptimize(codec().sign(c));
}
BENCHMARK(BM_JwtSign)->ThreadRange(1, 2);

void BM_JwtVerify(benchmark::State& state) {
  const std::string token = codec().sign(claims());
  for (auto _ : state) {
    auto r = codec().verify(token, kNow);
    if (!r) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_JwtVerify)->ThreadRange(1, 2);

// A codec whose signer is a fresh key of `alg` (HS256: the project key itself).
const JwtCodec& codec_signing_with(JwsAlgorithm alg) {
  static const auto make = [](JwsAlgorithm a) {
    auto c = std::make_unique<JwtCodec>(std::string(48, 'k'), JwtPolicy{});
    if (a != JwsAlgorithm::hs256) {
      auto key = SigningKey::generate(a, std::string(algorithm_name(a)));
      c->set_keys({{key}, {{0, key->kid()}}});
    }
    return c;
  };
  static const auto es = make(JwsAlgorithm::es256);
  static const auto rs = make(JwsAlgorithm::rs256);
  return alg == JwsAlgorithm::es256 ? *es : alg == JwsAlgorithm::rs256 ? *rs : codec();
}

void BM_JwtSignWith(benchmark::State& state, JwsAlgorithm alg) {
  const JwtCodec& c = codec_signing_with(alg);
  const auto cl = claims();
  for (auto _ : state) benchmark::DoNotOptimize(c.sign(cl));
}
BENCHMARK_CAPTURE(BM_JwtSignWith, es256, JwsAlgorithm::es256)->ThreadRange(1, 2);
BENCHMARK_CAPTURE(BM_JwtSignWith, rs256, JwsAlgorithm::rs256)->ThreadRange(1, 2);

void BM_JwtVerifyWith(benchmark::State& state, JwsAlgorithm alg) {
  const JwtCodec& c = codec_signing_with(alg);
  const std::string token = c.sign(claims());
  for (auto _ : state) {
    auto r = c.verify(token, kNow);
    if (!r) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK_CAPTURE(BM_JwtVerifyWith, es256, JwsAlgorithm::es256)->ThreadRange(1, 2);
BENCHMARK_CAPTURE(BM_JwtVerifyWith, rs256, JwsAlgorithm::rs256)->ThreadRange(1, 2);

void BM_Base64UrlEncode400(benchmark::State& state) {
  std::string bytes(400, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 + 7);
  for (auto _ : state) benchmark::DoNotOptimize(base64url_encode(bytes));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes.size()));
}
BENCHMARK(BM_Base64UrlEncode400);

void BM_Base64UrlDecode400(benchmark::State& state) {
  std::string bytes(400, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 + 7);
  const std::string text = base64url_encode(bytes);
  for (auto _ : state) benchmark::DoNotOptimize(base64url_decode(text));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes.size()));
}
BENCHMARK(BM_Base64UrlDecode400);

void BM_Sha256Hex64(benchmark::State& state) {
  const std::string token = random_token(32);
  for (auto _ : state) benchmark::DoNotOptimize(sha256_hex(token));
}
BENCHMARK(BM_Sha256Hex64);

void BM_Argon2idHash(benchmark::State& state) {
  const auto hasher = Argon2idHasher::create(kOwaspMinimum);  // m=19 MiB, t=2, p=1
  if (!hasher) {
    state.SkipWithError("Argon2idHasher::create failed");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(hasher->hash("correct horse battery staple"));
}
BENCHMARK(BM_Argon2idHash)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace latchkey::crypto
