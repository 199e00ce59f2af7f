#include "core/error.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace latchkey {
namespace {

constexpr ErrorCode kLast = ErrorCode::missing_where;

TEST(ErrorCatalogue, EveryCodeHasAUniqueNameAndWording) {
  std::set<std::string> names;
  for (int i = 0; i <= static_cast<int>(kLast); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    const std::string name(error_code_name(code));
    EXPECT_FALSE(name.empty()) << i;
    EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
    EXPECT_FALSE(default_message(code).empty()) << name;
  }
}

TEST(ErrorCatalogue, RowsAreInEnumOrder) {
  // The table is indexed by the enum: a row out of place would name the wrong code.
  EXPECT_EQ(error_code_name(ErrorCode::unexpected_failure), "unexpected_failure");
  EXPECT_EQ(error_code_name(ErrorCode::item_not_found), "item_not_found");
  EXPECT_EQ(error_code_name(ErrorCode::refresh_token_already_used), "refresh_token_already_used");
  EXPECT_EQ(error_code_name(ErrorCode::forbidden), "forbidden");
  EXPECT_EQ(error_code_name(ErrorCode::not_single_row), "PGRST116");
  EXPECT_EQ(error_code_name(kLast), "21000");
}

TEST(ErrorCatalogue, EveryClassHasADefaultCodeOfThatClass) {
  for (Errc c : {Errc::invalid_input, Errc::bad_request, Errc::unauthenticated, Errc::forbidden,
                 Errc::not_found, Errc::conflict, Errc::rate_limited, Errc::unavailable,
                 Errc::internal}) {
    EXPECT_EQ(error_class(default_error_code(c)), c) << error_code_name(default_error_code(c));
  }
}

TEST(Error, AStoreErrorHasAClassAndADetailButNoWording) {
  const Error e = Error::of(Errc::not_found, "item row absent");
  EXPECT_EQ(e.code, Errc::not_found);
  EXPECT_EQ(e.public_code, ErrorCode::not_found);
  EXPECT_TRUE(e.message.empty());
  EXPECT_EQ(e.detail, "item row absent");
  EXPECT_EQ(e.public_message(), "Not Found");
}

TEST(Error, AServiceCodeFixesTheClass) {
  const Error e = Error::make(ErrorCode::user_already_exists, "User already registered", "d");
  EXPECT_EQ(e.code, Errc::conflict);
  EXPECT_EQ(e.public_message(), "User already registered");
}

TEST(Error, WithCodeKeepsTheDetailAndRetryAfter) {
  Error e = Error::of(Errc::unauthenticated, "refresh_token_reused").retry_after(3);
  e = std::move(e).with_code(ErrorCode::refresh_token_already_used, "Invalid refresh token");
  EXPECT_EQ(e.code, Errc::unauthenticated);
  EXPECT_EQ(e.public_code, ErrorCode::refresh_token_already_used);
  EXPECT_EQ(e.detail, "refresh_token_reused");
  EXPECT_EQ(e.retry_after_s, 3);
}

TEST(Error, ValidationCarriesItsFields) {
  const Error e = Error::validation({FieldError{{std::string("body"), "title"}, "m", "t"}}, "V");
  EXPECT_EQ(e.code, Errc::invalid_input);
  EXPECT_EQ(e.public_code, ErrorCode::validation_failed);
  ASSERT_EQ(e.fields.size(), 1u);
}

}  // namespace
}  // namespace latchkey
