// Microbenchmarks for the per-request crypto: token sign/verify, base64url, and the login hash.
// Compare against shared/reference/perf-facts.md (HS256 issue ~1.5 us, verify ~1.8 us;
// base64url 400 B 0.22/0.41 us; Argon2id m=19 MiB t=2 ~17 ms).
#include <benchmark/benchmark.h>

#include <string>

#include "crypto/base64url.hpp"
#include "crypto/digest.hpp"
#include "crypto/jwt.hpp"
#include "crypto/password_hasher.hpp"

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
