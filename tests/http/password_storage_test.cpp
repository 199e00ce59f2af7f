// How the real binary stores a password: the Argon2id parameters written into the PHC string
// in the database (review issue #8). Lowering the server's cost floor or defaults shows here,
// where a login round trip alone would still succeed.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

#include "pg_support.hpp"
#include "sqlite_file.hpp"
#include "test_support.hpp"

namespace latchkey::test {
namespace {

// OWASP Password Storage Cheat Sheet, Argon2id minimum: m=19 MiB, t=2, p=1. Written out here
// rather than taken from the source, so that lowering the server's constant cannot lower the
// test's expectation with it.
constexpr uint64_t kOwaspMemoryKib = 19 * 1024;
constexpr uint64_t kOwaspIterations = 2;
// The server's defaults (`latchkey serve --help`: --argon2-memory-kib, --argon2-iterations).
constexpr uint64_t kDefaultMemoryKib = 19 * 1024;
constexpr uint64_t kDefaultIterations = 2;

struct Argon2idCost {
  uint64_t version = 0;
  uint64_t memory_kib = 0;
  uint64_t iterations = 0;
  uint64_t parallelism = 0;
};

// Reads `prefix` then a decimal number from the front of `s`.
bool take_number(std::string_view& s, std::string_view prefix, uint64_t& out) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end == s.data()) return false;
  s.remove_prefix(size_t(end - s.data()));
  return true;
}

// $argon2id$v=19$m=<kib>,t=<iterations>,p=<lanes>$<salt>$<hash>; nullopt for anything else.
std::optional<Argon2idCost> parse_argon2id_phc(std::string_view s) {
  Argon2idCost c;
  if (!s.starts_with("$argon2id")) return std::nullopt;
  s.remove_prefix(9);
  if (!take_number(s, "$v=", c.version) || !take_number(s, "$m=", c.memory_kib) ||
      !take_number(s, ",t=", c.iterations) || !take_number(s, ",p=", c.parallelism))
    return std::nullopt;
  // Then a non-empty salt and a non-empty hash.
  if (!s.starts_with('$')) return std::nullopt;
  const size_t hash_at = s.find('$', 1);
  if (hash_at == std::string_view::npos || hash_at == 1 || hash_at + 1 == s.size())
    return std::nullopt;
  return c;
}

TEST(ParseArgon2idPhc, ReadsTheCostAndRefusesOtherShapes) {
  const auto c = parse_argon2id_phc("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->version, 19u);
  EXPECT_EQ(c->memory_kib, 19456u);
  EXPECT_EQ(c->iterations, 2u);
  EXPECT_EQ(c->parallelism, 1u);
  for (const char* bad :
       {"", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
        "$argon2id$v=19$m=,t=2,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=19456,t=2,p=1$$aGFzaA",
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$"}) {
    EXPECT_FALSE(parse_argon2id_phc(bad)) << bad;
  }
}

// The cost in the stored hash of the user `account`, read from the server's SQLite file.
std::optional<Argon2idCost> stored_cost(const ServerProcess& server, const Account& account,
                                        std::string* phc) {
  SqliteFile db(server.data_dir() / "latchkey.db", SqliteFile::Mode::read_only);
  *phc = db.scalar("SELECT password_hash FROM users WHERE id = ?1", {account.id}).value_or("");
  return parse_argon2id_phc(*phc);
}

void expect_at_least_owasp_minimum(const Argon2idCost& c, const std::string& phc) {
  EXPECT_EQ(c.version, 19u) << phc;
  EXPECT_GE(c.memory_kib, kOwaspMemoryKib) << phc;
  EXPECT_GE(c.iterations, kOwaspIterations) << phc;
  EXPECT_GE(c.parallelism, 1u) << phc;
}

// The shared server with no Argon2id flags, so the stored cost must be the defaults.
class PasswordStorageTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure()) return;
    if (postgres_requested()) GTEST_SKIP() << "reads the SQLite file";
  }
};

TEST_F(PasswordStorageTest, StoredHashUsesTheDefaultCostAtLeastOwaspMinimum) {
  for (const std::string& arg : unthrottled().extra_args)
    ASSERT_EQ(arg.find("argon2"), std::string::npos) << "the fixture sets an Argon2id flag";
  const Account a = new_account("phc-default");
  ASSERT_TRUE(a.ok) << a.error;
  std::string phc;
  const auto cost = stored_cost(server(), a, &phc);
  ASSERT_TRUE(cost) << "not an Argon2id PHC string: " << phc;
  expect_at_least_owasp_minimum(*cost, phc);
  EXPECT_EQ(cost->memory_kib, kDefaultMemoryKib) << phc;
  EXPECT_EQ(cost->iterations, kDefaultIterations) << phc;
  EXPECT_EQ(cost->parallelism, 1u) << phc;
}

class ConfiguredCostTest : public PasswordStorageTest {
 protected:
  static constexpr uint64_t kMemoryKib = 24 * 1024;
  static constexpr uint64_t kIterations = 3;
  static void SetUpTestSuite() {
    start_shared(unthrottled().args({"--argon2-memory-kib", std::to_string(kMemoryKib),
                                     "--argon2-iterations", std::to_string(kIterations)}));
  }
};

TEST_F(ConfiguredCostTest, StoredHashUsesTheConfiguredCostAndStillLogsIn) {
  const Account a = new_account("phc-configured");
  ASSERT_TRUE(a.ok) << a.error;
  std::string phc;
  const auto cost = stored_cost(server(), a, &phc);
  ASSERT_TRUE(cost) << "not an Argon2id PHC string: " << phc;
  expect_at_least_owasp_minimum(*cost, phc);
  EXPECT_EQ(cost->memory_kib, kMemoryKib) << phc;
  EXPECT_EQ(cost->iterations, kIterations) << phc;
  const Response login =
      client().post("/auth/login", {{"email", a.email}, {"password", a.password}});
  EXPECT_EQ(login.status, 200) << login.body;
}

TEST(Argon2FloorTest, ServerRefusesToStartBelowTheOwaspMinimum) {
  const std::vector<std::vector<std::string>> weak = {
      {"--argon2-memory-kib", std::to_string(kOwaspMemoryKib - 1)},
      {"--argon2-iterations", std::to_string(kOwaspIterations - 1)},
      // OWASP also lists m=46 MiB with t=1; the server refuses any knob below its floor.
      {"--argon2-memory-kib", std::to_string(46 * 1024), "--argon2-iterations", "1"},
  };
  for (const auto& flags : weak) {
    TempDir dir;
    std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0", "--data-dir",
                                     dir.path().string()};
    args.insert(args.end(), flags.begin(), flags.end());
    const RunResult r = run_latchkey(args, {{"LATCHKEY_JWT_SECRET", std::string(kTestJwtSecret)}},
                                     dir.path(), std::chrono::seconds(5));
    std::string what;
    for (const auto& f : flags) what += f + " ";
    EXPECT_FALSE(r.timed_out) << what << ": the server started";
    EXPECT_TRUE(r.status.exited && r.status.code != 0) << what << ": " << describe(r.status);
    EXPECT_NE(r.err.find("OWASP"), std::string::npos) << what << ": " << r.err;
  }
}

}  // namespace
}  // namespace latchkey::test
