#pragma once
// The secrets an account mail carries (a link token and a 6-digit code) and the only forms
// the store keeps of them.
#include <string>
#include <string_view>

#include "core/random.hpp"

namespace latchkey::crypto {

struct OneTimeSecret {
  std::string link_token;  // 32 random bytes, base64url: unguessable, goes into the link
  std::string code;        // 6 decimal digits, uniformly drawn, for typing in
};

OneTimeSecret new_one_time_secret(core::RandomSource& random);

// What the store keeps of a link token: its SHA-256 (hex). 256 random bits need no key.
std::string link_hash(std::string_view link_token);

// Hashes codes under a key of their own, derived from the server secret. A 6-digit code has
// only 10^6 values: an unkeyed hash in a copied database would give every live code away in
// a second; keyed, the copy is useless without the secret. The purpose and the address are
// hashed in too, so a code is only ever good for the mail it was sent in.
class CodeHasher {
 public:
  explicit CodeHasher(std::string_view server_secret);
  ~CodeHasher();
  CodeHasher(const CodeHasher&) = delete;
  CodeHasher& operator=(const CodeHasher&) = delete;

  // Lower-case hex HMAC-SHA256 of purpose, email and code (NUL-separated).
  std::string hash(std::string_view purpose, std::string_view email, std::string_view code) const;

 private:
  unsigned char key_[32];
};

}  // namespace latchkey::crypto
