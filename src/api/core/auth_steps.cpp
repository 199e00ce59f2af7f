#include "api/core/auth_steps.hpp"

namespace latchkey::api {

Outcome hash_steps(auth::AuthService& auth, std::string password, WithHash then) {
  return on(
      Pool::hashing,
      [&auth, password = std::move(password), then = std::move(then)](Call& c) mutable -> Outcome {
        if (auto admitted = auth.admit_client(c.req.remote_ip); !admitted) return admitted.error();
        return on(Pool::store, [hash = auth.hash_password(password), then = std::move(then)](
                                   Call& c) mutable { return then(c, std::move(hash)); });
      });
}

Outcome sign_up_steps(auth::AuthService& auth, std::string email, std::string password,
                      std::string user_metadata, RenderAuth render) {
  return hash_steps(
      auth, std::move(password),
      [&auth, email = std::move(email), meta = std::move(user_metadata),
       render = std::move(render)](Call& c, std::string hash) mutable {
        return render(auth.register_hashed(email, std::move(hash), std::move(meta), c.client()));
      });
}

Outcome sign_in_steps(auth::AuthService& auth, std::string email, std::string password,
                      RenderAuth render) {
  return on(Pool::hashing, [&auth, email = std::move(email), password = std::move(password),
                            render = std::move(render)](Call& c) mutable -> Outcome {
    if (auto admitted = auth.admit_client(c.req.remote_ip); !admitted) return admitted.error();
    auto user = auth.check_credentials(email, password);
    if (!user) return std::move(user).error();
    return on(Pool::store, [&auth, user = std::move(*user), render = std::move(render)](Call& c) {
      return render(auth.open_session(user, auth::SignInMethod::password, c.client()));
    });
  });
}

}  // namespace latchkey::api
