#pragma once
// The step chains every surface's sign-up and password sign-in share: admit the client and
// hash or verify on the hashing pool, then write on the store pool (the hashing thread goes
// back to hashing instead of waiting on a commit). Each surface renders the result its way.
#include <functional>
#include <string>

#include "api/core/route.hpp"

namespace latchkey::api {

using RenderAuth = std::function<Outcome(Result<auth::AuthResult>)>;
// The store step of a sign-up, given the new password's hash.
using WithHash = std::function<Outcome(Call&, std::string phc_hash)>;

// `auth` must outlive the request (a surface holds it for as long as its route table).
Outcome sign_up_steps(auth::AuthService& auth, std::string email, std::string password,
                      std::string user_metadata, RenderAuth render);
// Admits the client and hashes `password` on the hashing pool, then runs `then` on the store
// pool (sign-ups that do not open a session at once).
Outcome hash_steps(auth::AuthService& auth, std::string password, WithHash then);
Outcome sign_in_steps(auth::AuthService& auth, std::string email, std::string password,
                      RenderAuth render);

}  // namespace latchkey::api
