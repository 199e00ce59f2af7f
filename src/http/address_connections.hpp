#pragma once
// Open connections per client address, capped, so one client cannot take every connection
// (and descriptor) the server has. Thread-safe: slots are taken where connections are
// accepted and given back on whichever I/O thread closes them. No Beast here.
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/ip_address.hpp"

namespace latchkey::http {

class AddressConnections {
 public:
  // One connection's claim on its address; gives it back when destroyed. An empty Slot
  // (default-constructed, moved from, or refused) holds nothing.
  class Slot {
   public:
    Slot() = default;
    ~Slot() { release(); }
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

    explicit operator bool() const { return owner_ != nullptr; }
    void release();

   private:
    friend class AddressConnections;
    Slot(AddressConnections* owner, std::string key, bool counted)
        : owner_(owner), key_(std::move(key)), counted_(counted) {}

    AddressConnections* owner_ = nullptr;
    std::string key_;
    bool counted_ = false;
  };

  // Connections from `uncapped` addresses (trusted proxies: each carries many clients) are
  // not counted; the server's total cap still holds them.
  explicit AddressConnections(size_t max_per_address, std::vector<std::string> uncapped = {});
  AddressConnections(const AddressConnections&) = delete;
  AddressConnections& operator=(const AddressConnections&) = delete;

  // A slot for one more connection from `ip` (text, as from the socket), or an empty one if
  // that address already holds the maximum. Addresses are counted as the rate limits count
  // them: IPv4 whole, IPv6 per /64 (core::address_bucket).
  Slot try_acquire(std::string_view ip);
  // Open connections counted under `ip`'s key.
  size_t count(std::string_view ip) const;
  // Keys currently held; an address whose last connection closed is forgotten.
  size_t addresses() const;

 private:
  void give_back(const std::string& key);

  const size_t max_;
  core::AddressList uncapped_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, size_t> open_;
};

}  // namespace latchkey::http
