#pragma once
// The real services over a temporary SQLite store, a FixedClock, a seeded random source and
// a counting hasher: what unit tests of services, surfaces and the pipeline run against,
// without sockets or sleeps.
#include <memory>
#include <stdexcept>

#include "auth/account_mail.hpp"
#include "auth/auth_service.hpp"
#include "auth/user_accounts.hpp"
#include "core/clock.hpp"
#include "crypto/jwt.hpp"
#include "data/item_service.hpp"
#include "data/row_service.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/fake_hasher.hpp"
#include "support/sequence_random.hpp"
#include "support/temp_dir.hpp"

namespace latchkey::testing {

inline constexpr core::Micros kStart = 1'700'000'000'000'000;  // 2023-11-14
inline constexpr std::string_view kSecret = "unit-test-jwt-secret-0123456789abcdef";

struct Services {
  explicit Services(auth::AuthOptions options = {}, uint64_t seed = 1) : random(seed) {
    store::sqlite::SqliteOptions so;
    so.path = (dir.path() / "test.db").string();
    auto opened = store::sqlite::open_sqlite_store(so);
    if (!opened) throw std::runtime_error("cannot open the test store: " + opened.error().detail);
    db = std::move(opened).value();
    auth = std::make_unique<auth::AuthService>(db->users(), db->sessions(), db->attempts(), hasher,
                                               jwt, clock, random, options);
    items = std::make_unique<data::ItemService>(db->items(), clock, random);
    accounts = std::make_unique<auth::UserAccounts>(db->users(), db->sessions(), hasher, clock,
                                                    random);
    rows = std::make_unique<data::RowService>(db->rows(), clock);
    mail = std::make_unique<auth::AccountMail>(db->users(), db->mail(), db->attempts(), *auth,
                                               templates, codes, clock, random,
                                               auth::AccountMailOptions{});
  }

  TempDir dir;
  core::FixedClock clock{kStart};
  SequenceRandom random;
  CountingHasher hasher;
  crypto::JwtCodec jwt{std::string(kSecret), crypto::JwtPolicy{}};
  mail::Templates templates = mail::Templates::load().value();
  crypto::CodeHasher codes{kSecret};
  std::unique_ptr<store::Store> db;
  std::unique_ptr<auth::AuthService> auth;
  std::unique_ptr<data::ItemService> items;
  std::unique_ptr<auth::UserAccounts> accounts;
  std::unique_ptr<data::RowService> rows;
  std::unique_ptr<auth::AccountMail> mail;  // autoconfirm, as the server's default
};

}  // namespace latchkey::testing
