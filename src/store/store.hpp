#pragma once
#include <memory>

#include "core/error.hpp"
#include "store/attempt_store.hpp"
#include "store/factor_store.hpp"
#include "store/item_rows.hpp"
#include "store/item_store.hpp"
#include "store/mail_store.hpp"
#include "store/session_store.hpp"
#include "store/signing_key_store.hpp"
#include "store/user_store.hpp"

namespace latchkey::store {

// The database object one backend's feature stores share (its connection pool, its writer).
class Database {
 public:
  virtual ~Database() = default;
  // ok if the database answers a trivial query now.
  virtual Result<void> ping() = 0;
  // Short name for logs and /health ("sqlite", "postgres").
  virtual const char* backend_name() const = 0;
};

// One database backend, as one object per feature over the backend's shared Database. A new
// feature is one interface, one class per backend, one member of Parts and one accessor.
// Methods may block: call them from a worker pool, never from an I/O thread. Every part is
// safe to use from several threads at once. Driver failures (database gone, disk full) come
// back as Errc::unavailable or Errc::internal; they are never thrown.
class Store final {
 public:
  struct Parts {
    std::unique_ptr<Database> db;  // first: destroyed last, after the parts that use it
    std::unique_ptr<UserStore> users;
    std::unique_ptr<SessionStore> sessions;
    std::unique_ptr<ItemStore> items;
    // The same user_data rows by typed query, for the PostgREST surface, under the scope's
    // row-level security.
    std::unique_ptr<ItemRowStore> rows;
    // Rate-limit and backoff counters, shared by every node that shares this database.
    std::unique_ptr<AttemptStore> attempts;
    // One-time tokens and the mail outbox that carries them.
    std::unique_ptr<MailStore> mail;
    // The JWT signing keys every node of the database shares.
    std::unique_ptr<SigningKeyStore> signing_keys;
    // TOTP factors and their challenges.
    std::unique_ptr<FactorStore> factors;
  };

  // Every part must be set.
  explicit Store(Parts parts) : parts_(std::move(parts)) {}
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  UserStore& users() { return *parts_.users; }
  SessionStore& sessions() { return *parts_.sessions; }
  ItemStore& items() { return *parts_.items; }
  ItemRowStore& rows() { return *parts_.rows; }
  AttemptStore& attempts() { return *parts_.attempts; }
  MailStore& mail() { return *parts_.mail; }
  SigningKeyStore& signing_keys() { return *parts_.signing_keys; }
  FactorStore& factors() { return *parts_.factors; }

  Result<void> ping() { return parts_.db->ping(); }
  const char* backend_name() const { return parts_.db->backend_name(); }

  // The backend's own object, for that backend's test hooks (sqlite::exec_as_owner ...).
  Database& database() { return *parts_.db; }

 private:
  Parts parts_;
};

}  // namespace latchkey::store
