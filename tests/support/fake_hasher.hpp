#pragma once
// A PasswordHasher for tests that counts its work and costs nothing: "fake$<cost>$<password>".
#include <atomic>
#include <string>

#include "crypto/password_hasher.hpp"

namespace latchkey::testing {

class CountingHasher final : public crypto::PasswordHasher {
 public:
  explicit CountingHasher(int cost = 1) : cost_(cost) {}

  std::string hash(std::string_view password) const override {
    ++hashes;
    return "fake$" + std::to_string(cost_.load()) + "$" + std::string(password);
  }
  bool verify(std::string_view phc_hash, std::string_view password) const override {
    ++verifications;
    const auto second = phc_hash.find('$', 5);
    return phc_hash.substr(0, 5) == "fake$" && second != std::string_view::npos &&
           phc_hash.substr(second + 1) == password;
  }
  // Hashes made at a lower cost than the current one are due for a rehash.
  bool needs_rehash(std::string_view phc_hash) const override {
    return phc_hash.rfind("fake$" + std::to_string(cost_.load()) + "$", 0) != 0;
  }
  void raise_cost(int cost) { cost_ = cost; }

  mutable std::atomic<int> hashes{0};
  mutable std::atomic<int> verifications{0};

 private:
  std::atomic<int> cost_;
};

}  // namespace latchkey::testing
