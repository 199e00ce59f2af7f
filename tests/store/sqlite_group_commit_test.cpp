// Group commit on SQLite: concurrent writes share COMMITs (one fsync each) and still get
// their own results; a failing write in a batch leaves the others alone.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "sqlite_backend.hpp"
#include "store/sqlite/connection.hpp"

namespace latchkey::store::testing {
namespace {

using sqlite::WriteStats;
constexpr core::Micros kT0 = 1'700'000'000'000'000;

WriteStats stats_of(Store& store) {
  auto s = sqlite::write_stats(store);
  if (!s) throw std::runtime_error("not a SQLite store");
  return *s;
}

// Waits (up to 10 s) for the writer to reach a state; the state is what the test needs,
// the polling interval only decides how soon it notices.
void wait_for(Store& store, const std::function<bool(const WriteStats&)>& reached) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!reached(stats_of(store))) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "writer never reached the state";
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// Another connection holding the database's write lock, as another process could: the
// writer's next BEGIN IMMEDIATE waits (up to the busy timeout) until it is released.
class WriteLockHolder {
 public:
  explicit WriteLockHolder(const std::string& path) {
    sqlite::SqliteOptions o;
    o.path = path;
    auto c = sqlite::Connection::open(o);
    if (!c) throw std::runtime_error(c.error().detail);
    conn_ = std::move(*c);
    if (!conn_->exec("BEGIN IMMEDIATE")) throw std::runtime_error("BEGIN IMMEDIATE failed");
  }
  void release() { (void)conn_->exec("ROLLBACK"); }

 private:
  std::unique_ptr<sqlite::Connection> conn_;
};

UserId add_user(Store& store, const std::string& email) {
  const UserId id{core::Uuid::random_v4()};
  EXPECT_TRUE(store.users().create_user({id, email, "{}", "h"}, kT0));
  return id;
}

TEST(SqliteGroupCommit, ConcurrentWritersAllSucceedAndShareCommits) {
  SqliteBackend backend(4);
  Store& store = backend.store();
  constexpr int kThreads = 16, kPerThread = 50;
  std::vector<UserId> owners;
  for (int t = 0; t < kThreads; ++t)
    owners.push_back(add_user(store, "u" + std::to_string(t) + "@example.com"));
  const WriteStats before = stats_of(store);

  std::vector<std::vector<ItemId>> ids(kThreads);
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const ItemId id{core::Uuid::random_v4()};
        if (store.items().create_item(owners[t], {id, "t" + std::to_string(i), "c", std::nullopt},
                                      kT0))
          ids[t].push_back(id);
        else
          ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();

  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(failures[t], 0);
    auto listed = store.items().list_items(owners[t], 1000, 0);
    ASSERT_TRUE(listed.has_value());
    EXPECT_EQ(listed->size(), static_cast<size_t>(kPerThread));
    for (const ItemId& id : ids[t]) {
      auto item = store.items().get_item(owners[t], id);
      ASSERT_TRUE(item.has_value());
      EXPECT_EQ(item->user_id, owners[t]);
    }
  }
  const WriteStats after = stats_of(store);
  const uint64_t writes = after.completed - before.completed;
  const uint64_t commits = after.commits - before.commits;
  EXPECT_EQ(writes, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_GE(commits, 1u);
  EXPECT_LT(commits, writes) << "no two writes ever shared a commit";
}

TEST(SqliteGroupCommit, AFailingWriteDoesNotAffectTheOthersInItsBatch) {
  SqliteBackend backend(2);
  Store& store = backend.store();
  const UserId owner = add_user(store, "owner@example.com");
  const SessionRecord session{SessionId{core::Uuid::random_v4()}, owner, kT0, kT0 + 3'600'000'000,
                              std::nullopt};
  ASSERT_TRUE(store.sessions().open_session(session, "t0"));
  ASSERT_TRUE(store.sessions().rotate_refresh_token({"t0", "t1"}, kT0 + 1, {}));  // t0 is now spent
  const WriteStats base = stats_of(store);

  WriteLockHolder lock((backend.dir().path() / "latchkey.db").string());
  // A first write takes the writer into a batch of its own, stuck in BEGIN IMMEDIATE...
  std::thread first([&] {
    EXPECT_TRUE(store.users().create_user(
        {UserId{core::Uuid::random_v4()}, "first@example.com", "{}", "h"}, kT0));
  });
  wait_for(store,
           [&](const WriteStats& s) { return s.submitted == base.submitted + 1 && s.queued == 0; });

  // ...so these all queue up and go into the next batch together.
  const std::vector<std::string> emails = {"a@example.com", "b@example.com", "a@example.com",
                                           "c@example.com", "b@example.com", "d@example.com"};
  std::vector<UserId> ids;
  for (size_t i = 0; i < emails.size(); ++i) ids.push_back(UserId{core::Uuid::random_v4()});
  std::vector<Result<UserRecord>> created(emails.size(), fail(Error::of(Errc::internal, "not run")));
  Result<RotatedSession> replay = fail(Error::of(Errc::internal, "not run"));
  std::vector<std::thread> batch;
  for (size_t i = 0; i < emails.size(); ++i)
    batch.emplace_back([&, i] {
      created[i] = store.users().create_user({ids[i], emails[i], "{}", "h"}, kT0);
    });
  // A replay fails but must keep its write (the revocation) in the same batch.
  batch.emplace_back([&] {
    replay = store.sessions().rotate_refresh_token({"t0", "t2"}, kT0 + 2, {});
  });
  wait_for(store, [&](const WriteStats& s) { return s.queued == emails.size() + 1; });

  lock.release();
  first.join();
  for (auto& th : batch) th.join();

  const WriteStats after = stats_of(store);
  EXPECT_EQ(after.commits - base.commits, 2u) << "the queued writes did not share one commit";
  int conflicts = 0;
  for (size_t i = 0; i < emails.size(); ++i) {
    if (created[i]) continue;
    EXPECT_EQ(created[i].error().code, Errc::conflict) << emails[i];
    ++conflicts;
  }
  EXPECT_EQ(conflicts, 2);
  for (size_t i = 0; i < emails.size(); ++i) {
    if (!created[i]) continue;
    auto found = store.users().find_user_by_email(emails[i]);
    ASSERT_TRUE(found.has_value()) << emails[i];
    EXPECT_EQ(found->id, ids[i]);
  }
  ASSERT_FALSE(replay.has_value());
  EXPECT_EQ(replay.error().detail, "refresh_token_reused");
  EXPECT_EQ(store.sessions().check_session(owner, session.id, kT0 + 3).error().code,
            Errc::unauthenticated);
  EXPECT_FALSE(store.sessions().rotate_refresh_token({"t1", "t3"}, kT0 + 4, {}).has_value());
}

TEST(SqliteGroupCommit, ABatchThatCannotCommitFailsItsWritesAndKeepsNone) {
  latchkey::testing::TempDir dir;
  sqlite::SqliteOptions o;
  o.path = (dir.path() / "g.db").string();
  o.busy_timeout_ms = 50;
  auto opened = sqlite::open_sqlite_store(o);
  ASSERT_TRUE(opened.has_value()) << opened.error().detail;
  Store& store = **opened;
  const UserId owner = add_user(store, "owner@example.com");
  const ItemId id{core::Uuid::random_v4()};
  {
    WriteLockHolder lock(o.path);
    auto r = store.items().create_item(owner, {id, "t", "c", std::nullopt}, kT0);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, Errc::unavailable);
    lock.release();
  }
  EXPECT_EQ(store.items().get_item(owner, id).error().code, Errc::not_found);
  // The writer recovers, and a lone write is committed on its own, without waiting.
  const WriteStats before = stats_of(store);
  EXPECT_TRUE(store.items().create_item(owner, {id, "t", "c", std::nullopt}, kT0).has_value());
  EXPECT_EQ(stats_of(store).commits - before.commits, 1u);
  EXPECT_TRUE(store.items().get_item(owner, id).has_value());
}

}  // namespace
}  // namespace latchkey::store::testing
