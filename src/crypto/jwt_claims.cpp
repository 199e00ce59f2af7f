#include "crypto/jwt_claims.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace latchkey::crypto::detail {
namespace {

using nlohmann::json;

enum class Field { sub, email, role, iss, session_id, aud, iat, exp, nbf, other };

Field field_of(std::string_view key) {
  static constexpr std::pair<std::string_view, Field> kFields[] = {
      {"sub", Field::sub},
      {"email", Field::email},
      {"role", Field::role},
      {"iss", Field::iss},
      {"session_id", Field::session_id},
      {"aud", Field::aud},
      {"iat", Field::iat},
      {"exp", Field::exp},
      {"nbf", Field::nbf},
  };
  for (const auto& [name, f] : kFields)
    if (name == key) return f;
  return Field::other;
}

// SAX handler: verify() runs on every request, and building nlohmann's DOM (a std::map of
// heap nodes) cost ~2.5 us per token against ~0.7 us for these events. Returning false from
// any event stops the parse, which then counts as malformed.
class ClaimsHandler final : public nlohmann::json_sax<json> {
 public:
  RawClaims claims;

  bool null() override { return skipped(); }
  bool boolean(bool) override { return skipped(); }
  bool number_integer(number_integer_t v) override { return integer(v); }
  bool number_unsigned(number_unsigned_t v) override {
    if (v > static_cast<uint64_t>(INT64_MAX)) return skipped();  // refused if a known claim
    return integer(static_cast<int64_t>(v));
  }
  // Floats are never a valid time claim: 1.5 or 1e9 are refused rather than rounded.
  bool number_float(number_float_t, const string_t&) override { return skipped(); }
  bool binary(binary_t&) override { return skipped(); }

  bool string(string_t& v) override {
    if (depth_ == 2 && in_aud_array_) {
      claims.aud.push_back(std::move(v));
      return true;
    }
    if (depth_ != 1) return depth_ > 1;
    std::optional<std::string>* slot = nullptr;
    switch (field_) {
      case Field::sub:
        slot = &claims.sub;
        break;
      case Field::email:
        slot = &claims.email;
        break;
      case Field::role:
        slot = &claims.role;
        break;
      case Field::iss:
        slot = &claims.iss;
        break;
      case Field::session_id:
        slot = &claims.session_id;
        break;
      case Field::aud:
        claims.aud.push_back(std::move(v));
        claims.has_aud = true;
        return true;
      case Field::other:
        return true;
      default:
        return false;  // a string where a number belongs
    }
    *slot = std::move(v);
    return true;
  }

  bool start_object(std::size_t) override {
    if (depth_ == 0) {
      saw_root_ = true;
    } else if (!skipped()) {
      return false;
    }
    ++depth_;
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ != 1) return true;  // keys inside unknown nested claims are never read
    field_ = field_of(k);
    // Parsers disagree on which duplicate wins; refuse instead of picking one.
    if (field_ == Field::other) {
      if (std::find(other_keys_.begin(), other_keys_.end(), k) != other_keys_.end()) return false;
      other_keys_.push_back(k);
    } else {
      const unsigned bit = 1u << static_cast<unsigned>(field_);
      if (seen_ & bit) return false;
      seen_ |= bit;
    }
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 0) return false;  // the payload must be an object
    if (depth_ == 1 && field_ == Field::aud) {
      in_aud_array_ = true;
      claims.has_aud = true;
    } else if (!skipped()) {
      return false;
    }
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    in_aud_array_ = false;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

  bool complete() const { return saw_root_ && depth_ == 0; }

 private:
  // A value that is not read: fine inside an unknown claim, an error for a known one (wrong
  // type) and at the top level (the payload must be an object).
  bool skipped() const {
    if (depth_ == 0) return false;
    if (depth_ == 1) return field_ == Field::other;
    return !(depth_ == 2 && in_aud_array_);  // only strings may sit in aud
  }
  bool integer(int64_t v) {
    if (depth_ != 1) return skipped();
    switch (field_) {
      case Field::iat:
        claims.iat = v;
        return true;
      case Field::exp:
        claims.exp = v;
        return true;
      case Field::nbf:
        claims.nbf = v;
        return true;
      default:
        return skipped();
    }
  }

  int depth_ = 0;
  bool saw_root_ = false;
  bool in_aud_array_ = false;
  Field field_ = Field::other;
  unsigned seen_ = 0;
  std::vector<std::string> other_keys_;
};

}  // namespace

std::optional<RawClaims> read_claims(std::string_view json_text) {
  ClaimsHandler h;
  if (!json::sax_parse(json_text.begin(), json_text.end(), &h) || !h.complete())
    return std::nullopt;
  return std::move(h.claims);
}

}  // namespace latchkey::crypto::detail
