#pragma once
// Sends the outbox. Every node runs one; the store's leases make each mail one node's job
// (on PostgreSQL: FOR UPDATE SKIP LOCKED), so no separate courier process is needed. A mail
// that fails is tried again later, with the wait doubling each time, and after
// `max_attempts` tries it is dead (its code and link are dropped with its body).
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.hpp"
#include "mail/sender.hpp"
#include "store/mail_store.hpp"

namespace latchkey::mail {

struct CourierOptions {
  std::string from;                              // the sender, as SmtpOptions::from
  std::chrono::milliseconds poll{1000};          // how often the outbox is looked at
  int batch = 16;                                // mails per claim
  std::chrono::seconds lease{300};               // how long a claimed mail is this node's
  int max_attempts = 8;
  std::chrono::seconds first_retry{30};          // 30 s, 1 min, 2 min ... after failures
  std::chrono::seconds max_retry{3600};
};

class Courier {
 public:
  Courier(store::MailStore& outbox, MailSender& sender, const core::Clock& clock,
          CourierOptions options);
  ~Courier();  // stops the thread
  Courier(const Courier&) = delete;
  Courier& operator=(const Courier&) = delete;

  void start();
  void stop();
  // Mail was queued on this node: look now instead of at the next poll.
  void wake();

  // One round: claims what is due and tries each. Returns how many were tried (the thread
  // calls this; tests call it directly).
  int run_once();

  // When the try after `attempts` failed ones happens, or nullopt if that was the last.
  std::optional<core::Micros> retry_at(int attempts, core::Micros now) const;

 private:
  void loop();

  store::MailStore& outbox_;
  MailSender& sender_;
  const core::Clock& clock_;
  CourierOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace latchkey::mail
