#pragma once
// The proof, for every backend, that item isolation does not depend on the query text:
// arbitrary SQL run through alice's request-scoped handle sees and changes only alice's rows
// (SQLite: per-connection owner views, triggers and authorizer; PostgreSQL: forced row-level
// security as the app role). Each backend instantiates it with its IsolationBackend (see
// sqlite_isolation_test.cpp, postgres_rls_test.cpp), and may derive its own extra tests from
// IsolationContract.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "store/scoped_sql.hpp"
#include "store_contract.hpp"

namespace latchkey::store::testing {

// How a backend refuses a write that breaks the owner rule: the error's class, and texts its
// detail contains.
struct OwnerRuleRefusal {
  Errc code;
  std::vector<std::string> details;
};

struct IsolationBackend {
  std::string name;
  std::function<std::unique_ptr<Backend>()> make;
  ExecAsOwner exec_as_owner;
  // The owner-confined table under its qualified name.
  std::string qualified_table;
  // One INSERT into user_data of a row owned by the user whose id replaces "{user}", in the
  // backend's column types.
  std::string insert_row;
  OwnerRuleRefusal refusal;
};

inline void PrintTo(const IsolationBackend& b, std::ostream* os) { *os << b.name; }

// The contract's backend: an empty B (constructed with its pool size) with two pooled
// connections, so that calls alternate between them.
template <class B>
IsolationBackend two_connections(ExecAsOwner exec, std::string qualified_table,
                                 std::string insert_row, OwnerRuleRefusal refusal) {
  return {"TwoConnections",
          [] { return std::make_unique<B>(2); },
          exec,
          std::move(qualified_table),
          std::move(insert_row),
          std::move(refusal)};
}

// Alice owns two items, bob three.
class IsolationContract : public ::testing::TestWithParam<IsolationBackend> {
 protected:
  void SetUp() override;
  Store& store() { return backend_->store(); }

  Result<ScopedSqlResult> exec(std::optional<UserId> owner, const std::string& sql) {
    return GetParam().exec_as_owner(store(), owner, sql);
  }
  // The single cell of a one-row, one-column result, e.g. count(*).
  std::string scalar(std::optional<UserId> owner, const std::string& sql);
  // The rows `sql` changed as `owner` (-1 if it failed).
  int64_t changes(std::optional<UserId> owner, const std::string& sql);
  // The backend's insert_row for `user`.
  std::string insert_for(const UserId& user) const;
  // `sql` as `owner` is refused the way the backend refuses a write against the owner rule.
  void expect_refused_by_owner_rule(std::optional<UserId> owner, const std::string& sql);
  void expect_bob_intact();

  static constexpr core::Micros kT0 = 1'700'000'000'000'000;

  UserId alice_, bob_;
  std::vector<ItemId> alice_items_, bob_items_;

 private:
  UserId make_user(const std::string& name);
  ItemId make_item(UserId owner, const std::string& title);

  std::unique_ptr<Backend> backend_;
};

inline std::string isolation_backend_name(const ::testing::TestParamInfo<IsolationBackend>& info) {
  return info.param.name;
}

}  // namespace latchkey::store::testing
