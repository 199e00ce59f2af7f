#pragma once

namespace latchkey::crypto {

// Initializes libsodium (sodium_init) exactly once; safe to call again and from any thread.
// The app calls it before anything else, because core::Uuid draws from randombytes_buf too.
// random_token() and Argon2idHasher::create() also call it, so they are safe on their own.
// false if the library cannot be initialized (no usable OS entropy): the process must not start.
bool init();

}  // namespace latchkey::crypto
