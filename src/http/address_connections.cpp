#include "http/address_connections.hpp"

#include <utility>

#include "core/ip_address.hpp"

namespace latchkey::http {

AddressConnections::AddressConnections(size_t max_per_address, std::vector<std::string> uncapped)
    : max_(max_per_address), uncapped_(uncapped) {}

AddressConnections::Slot::Slot(Slot&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      key_(std::move(other.key_)),
      counted_(other.counted_) {}

AddressConnections::Slot& AddressConnections::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    key_ = std::move(other.key_);
    counted_ = other.counted_;
  }
  return *this;
}

void AddressConnections::Slot::release() {
  if (owner_ == nullptr) return;
  AddressConnections* owner = std::exchange(owner_, nullptr);
  if (counted_) owner->give_back(key_);
}

AddressConnections::Slot AddressConnections::try_acquire(std::string_view ip) {
  if (uncapped_.contains(ip)) return Slot(this, {}, /*counted=*/false);
  std::string key = core::address_bucket(ip);
  std::lock_guard lock(mu_);
  size_t& open = open_[key];
  if (open >= max_) {
    if (open == 0) open_.erase(key);  // max_ == 0: nothing was counted
    return {};
  }
  ++open;
  return Slot(this, std::move(key), /*counted=*/true);
}

size_t AddressConnections::count(std::string_view ip) const {
  const std::string key = core::address_bucket(ip);
  std::lock_guard lock(mu_);
  const auto it = open_.find(key);
  return it == open_.end() ? 0 : it->second;
}

size_t AddressConnections::addresses() const {
  std::lock_guard lock(mu_);
  return open_.size();
}

void AddressConnections::give_back(const std::string& key) {
  std::lock_guard lock(mu_);
  const auto it = open_.find(key);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
}

}  // namespace latchkey::http
