// Runs crypto::init() once before any test, as the app does at start-up.
#include <gtest/gtest.h>

#include "crypto/init.hpp"

namespace {

class CryptoEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { ASSERT_TRUE(latchkey::crypto::init()); }
};

[[maybe_unused]] auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new CryptoEnvironment);

}  // namespace
