#include "http/request_id.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <thread>

namespace latchkey::http {
namespace {

// splitmix64: one add and three multiply-xorshifts per id. Request ids are correlation
// handles, not secrets (they grant nothing), so a fast non-cryptographic generator is enough;
// per-thread state keeps it lock-free.
uint64_t next_random() {
  thread_local uint64_t state = [] {
    std::random_device rd;
    uint64_t seed = (uint64_t{rd()} << 32) ^ rd();
    seed ^= static_cast<uint64_t>(std::hash<std::thread::id>{}(std::this_thread::get_id()));
    seed ^= static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    return seed;
  }();
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

bool is_valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    if (!is_id_char(c)) return false;
  }
  return true;
}

void generate_request_id(std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t r = next_random();
  out.resize(16);
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[r & 0xf];
    r >>= 4;
  }
}

}  // namespace latchkey::http
