#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/random.hpp"

namespace latchkey::core {

// A 128-bit UUID; text form is lower-case 8-4-4-4-12.
class Uuid {
 public:
  Uuid() = default;
  static Uuid random_v4();  // from system_random()
  static Uuid random_v4(RandomSource& random);
  // Accepts only the canonical 36-char 8-4-4-4-12 form, hex digits in either case: no braces,
  // urn:uuid: prefix, missing, extra or moved dashes.
  static std::optional<Uuid> parse(std::string_view text);
  std::string str() const;
  const std::array<uint8_t, 16>& bytes() const { return b_; }
  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend auto operator<=>(const Uuid&, const Uuid&) = default;

 private:
  std::array<uint8_t, 16> b_{};
};

}  // namespace latchkey::core

namespace latchkey {
// Strong names so a user id is never passed where an item id belongs.
struct UserId {
  core::Uuid v;
  std::string str() const { return v.str(); }
  friend bool operator==(const UserId&, const UserId&) = default;
};
struct ItemId {
  core::Uuid v;
  std::string str() const { return v.str(); }
  friend bool operator==(const ItemId&, const ItemId&) = default;
};
struct SessionId {
  core::Uuid v;
  std::string str() const { return v.str(); }
  friend bool operator==(const SessionId&, const SessionId&) = default;
};
}  // namespace latchkey
