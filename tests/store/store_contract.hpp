#pragma once
// One behavioural contract for store::Store's feature stores, written against the interfaces
// only. Each backend instantiates it with its factories (see sqlite_backend_test.cpp):
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ValuesIn(pool_variants<SqliteBackend>()));
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace latchkey::store::testing {

// Owns one empty database (and whatever it needs: a temp dir, a throwaway cluster) for one
// test.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual Store& store() = 0;
};

struct BackendFactory {
  std::string name;
  std::function<std::unique_ptr<Backend>()> make;
};

inline void PrintTo(const BackendFactory& f, std::ostream* os) { *os << f.name; }
inline std::string factory_name(const ::testing::TestParamInfo<BackendFactory>& info) {
  return info.param.name;
}

// What every backend runs the contract with: a pool of four connections, and a single
// connection. With one, every call shares it, so whatever one call left on it (an owner, a
// role or claims, an open statement or transaction) shows up in the next. B(size_t) opens B
// with that many connections.
template <class B>
std::vector<BackendFactory> pool_variants() {
  return {BackendFactory{"Pool4", [] { return std::make_unique<B>(4); }},
          BackendFactory{"OneConnection", [] { return std::make_unique<B>(1); }}};
}

class StoreContract : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override;
  Store& store() { return backend_->store(); }
  UserStore& users() { return store().users(); }
  SessionStore& sessions() { return store().sessions(); }
  ItemStore& items() { return store().items(); }

  // A stored user with a unique email derived from `name`.
  UserRecord add_user(const std::string& name);
  // An open session for `user`, created at kT0, expiring at kT0 + 1h, with `refresh_hash`.
  SessionRecord add_session(const UserRecord& user, const std::string& refresh_hash);
  ItemRecord add_item(const UserRecord& user, const std::string& title, core::Micros now);

  static constexpr core::Micros kT0 = 1'700'000'000'000'000;
  static constexpr core::Micros kHour = 3'600'000'000;

 private:
  std::unique_ptr<Backend> backend_;
};

}  // namespace latchkey::store::testing
