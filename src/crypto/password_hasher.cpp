#include "crypto/password_hasher.hpp"

#include <sodium.h>

#include <new>
#include <string>

#include "crypto/init.hpp"

namespace latchkey::crypto {
namespace {

size_t memlimit_bytes(const Argon2Params& p) { return size_t{p.memory_kib} * 1024; }

}  // namespace

Result<Argon2idHasher> Argon2idHasher::create(Argon2Params params) {
  if (!init()) return fail(Error::startup(Errc::internal, "Internal server error", "sodium_init_failed"));
  // Both knobs must each reach OWASP's floor; a trade such as 46 MiB with t=1 is refused
  // rather than judged, so one misread config value cannot weaken stored hashes.
  if (params.memory_kib < kOwaspMinimum.memory_kib || params.iterations < kOwaspMinimum.iterations)
    return fail(Error::startup(Errc::invalid_input, "Argon2id parameters below the OWASP minimum (m=19 MiB, t=2)", "argon2_params_too_weak"));
  if (memlimit_bytes(params) > crypto_pwhash_argon2id_MEMLIMIT_MAX ||
      params.iterations > crypto_pwhash_argon2id_OPSLIMIT_MAX)
    return fail(Error::startup(Errc::invalid_input, "Argon2id parameters beyond libsodium's limits", "argon2_params_too_large"));
  return Argon2idHasher(params);
}

std::string Argon2idHasher::hash(std::string_view password) const {
  char out[crypto_pwhash_argon2id_STRBYTES];
  // A non-null pointer even for an empty password; libsodium reads only `size()` bytes.
  const char* pw = password.empty() ? "" : password.data();
  if (crypto_pwhash_str_alg(out, pw, password.size(), params_.iterations, memlimit_bytes(params_),
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    // Parameters were checked in create(), so the only failure left is the memory area.
    throw std::bad_alloc();
  }
  return std::string(out);
}

bool Argon2idHasher::verify(std::string_view phc_hash, std::string_view password) const {
  // libsodium wants a NUL-terminated string: refuse embedded NULs and over-long input up front
  // instead of letting them truncate silently.
  if (phc_hash.size() >= crypto_pwhash_argon2id_STRBYTES ||
      phc_hash.find('\0') != std::string_view::npos)
    return false;
  // Only Argon2id strings: libsodium would also accept argon2i, which we never produce.
  if (!phc_hash.starts_with(crypto_pwhash_argon2id_STRPREFIX)) return false;
  const std::string terminated(phc_hash);
  const char* pw = password.empty() ? "" : password.data();
  // -1 covers a wrong password, a malformed string and an allocation failure alike.
  return crypto_pwhash_str_verify(terminated.c_str(), pw, password.size()) == 0;
}

bool Argon2idHasher::needs_rehash(std::string_view phc_hash) const {
  if (phc_hash.size() >= crypto_pwhash_argon2id_STRBYTES ||
      phc_hash.find('\0') != std::string_view::npos)
    return true;
  const std::string terminated(phc_hash);
  // The argon2id-specific check also reports another algorithm (argon2i) as -1; both 1 and
  // -1 mean "not what we would produce now".
  return crypto_pwhash_argon2id_str_needs_rehash(terminated.c_str(), params_.iterations,
                                                 memlimit_bytes(params_)) != 0;
}

}  // namespace latchkey::crypto
