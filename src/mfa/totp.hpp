#pragma once
// One-time passwords for authenticator apps: HOTP (RFC 4226) and TOTP (RFC 6238) with a 30 s
// step from the Unix epoch, and the otpauth:// URI their QR code carries.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/random.hpp"

namespace latchkey::mfa {

// Authenticator apps use SHA-1; the others are here for RFC 6238's test vectors.
enum class TotpHash { sha1, sha256, sha512 };

constexpr int64_t kTotpStepSeconds = 30;

// The HOTP value of `counter` as `digits` (6 to 8) decimal digits, zero-padded.
// std::invalid_argument on another digit count.
std::string hotp_code(std::string_view secret, uint64_t counter, int digits = 6,
                      TotpHash hash = TotpHash::sha1);

// The time step `unix_seconds` falls in (floor division, so it never rounds up).
int64_t totp_step(int64_t unix_seconds);

// The TOTP code at `unix_seconds`. std::invalid_argument before the epoch.
std::string totp_code(std::string_view secret, int64_t unix_seconds, int digits = 6,
                      TotpHash hash = TotpHash::sha1);

// The step `code` (exactly 6 ASCII digits, SHA-1) belongs to, if it is the code of the step
// at `unix_seconds` or of one step either side, and that step is later than
// `last_used_step` (-1 if none). The caller stores the step and passes it next time, so
// each code is accepted once (RFC 6238 section 5.2).
std::optional<int64_t> totp_verify(std::string_view secret, std::string_view code,
                                   int64_t unix_seconds, int64_t last_used_step);

// 20 random bytes (RFC 4226 section 4: 160 bits, the HMAC-SHA-1 output size).
std::string new_totp_secret(core::RandomSource& random);

// otpauth://totp/<issuer>:<account>?algorithm=SHA1&digits=6&issuer=<issuer>&period=30
// &secret=<base32_secret>, in GoTrue's parameter order. Label and issuer are percent-encoded
// (RFC 3986, upper-case hex); ':' and '@' stay literal, as GoTrue leaves them. An empty
// issuer leaves out the prefix and the parameter.
std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view base32_secret);

}  // namespace latchkey::mfa
