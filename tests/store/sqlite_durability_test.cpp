// The durability settings of an opened SQLite store, read back from its connections (review
// issue #8): a commit that returned must survive power loss, which needs WAL with
// synchronous=FULL on the connection that commits. kill -9 cannot tell FULL from NORMAL (the
// OS still has the pages), so the crash tests would not notice a downgrade.
#include <gtest/gtest.h>

#include "sqlite_backend.hpp"

namespace latchkey::store::testing {
namespace {

constexpr const char* kFull = "2";  // PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA

// The writer's value of `PRAGMA name`, or why it could not be read.
std::string on_writer(Store& store, const char* name) {
  auto v = sqlite::writer_pragma(store, name);
  return v ? *v : "error: " + v.error().detail;
}

TEST(SqliteDurability, TheGroupCommitWriterUsesWalWithSynchronousFull) {
  SqliteBackend backend(4);
  EXPECT_EQ(on_writer(backend.store(), "synchronous"), kFull);
  EXPECT_EQ(on_writer(backend.store(), "journal_mode"), "wal");
  // Not a durability setting, but a writer without it would let rows outlive their user.
  EXPECT_EQ(on_writer(backend.store(), "foreign_keys"), "1");
}

TEST(SqliteDurability, EveryPooledReaderConnectionHasTheSameSettings) {
  // Readers commit nothing, so synchronous matters less there; but they are opened on demand,
  // later than the writer, and one opened in another journal mode would switch the database
  // out of WAL.
  constexpr size_t kReaders = 4;
  SqliteBackend backend(kReaders);
  auto synchronous = sqlite::reader_pragmas(backend.store(), "synchronous", kReaders);
  ASSERT_TRUE(synchronous.has_value()) << synchronous.error().detail;
  ASSERT_EQ(synchronous->size(), kReaders);
  for (const auto& v : *synchronous) EXPECT_EQ(v, kFull);
  auto journal = sqlite::reader_pragmas(backend.store(), "journal_mode", kReaders);
  ASSERT_TRUE(journal.has_value()) << journal.error().detail;
  for (const auto& v : *journal) EXPECT_EQ(v, "wal");
}

TEST(SqliteDurability, SynchronousNormalIsOnlyEverAnExplicitChoice) {
  // The opt-out exists (SqliteOptions::synchronous_full); this shows the hook sees it, so the
  // tests above would see a writer that took it by mistake.
  latchkey::testing::TempDir dir;
  sqlite::SqliteOptions options;
  options.path = (dir.path() / "latchkey.db").string();
  options.synchronous_full = false;
  auto store = sqlite::open_sqlite_store(options);
  ASSERT_TRUE(store.has_value()) << store.error().detail;
  EXPECT_EQ(on_writer(**store, "synchronous"), "1");
}

TEST(SqliteDurability, PragmaHookRefusesAnythingButAPragmaName) {
  SqliteBackend backend(1);
  for (const char* bad : {"", "synchronous=OFF", "synchronous; DROP TABLE users", "Synchronous"}) {
    auto r = sqlite::writer_pragma(backend.store(), bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_input) << bad;
  }
}

}  // namespace
}  // namespace latchkey::store::testing
