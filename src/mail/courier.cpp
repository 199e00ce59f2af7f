#include "mail/courier.hpp"

#include "core/log.hpp"
#include "mail/message.hpp"

namespace latchkey::mail {

Courier::Courier(store::MailStore& outbox, MailSender& sender, const core::Clock& clock,
                 CourierOptions options)
    : outbox_(outbox), sender_(sender), clock_(clock), options_(std::move(options)) {}

Courier::~Courier() { stop(); }

void Courier::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Courier::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Courier::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

std::optional<core::Micros> Courier::retry_at(int attempts, core::Micros now) const {
  if (attempts >= options_.max_attempts) return std::nullopt;
  // first_retry * 2^(attempts - 1), capped; the shift is bounded so it cannot overflow.
  const int doublings = std::min(std::max(attempts - 1, 0), 30);
  const int64_t wait_s = std::min<int64_t>(options_.max_retry.count(),
                                           options_.first_retry.count() * (int64_t{1} << doublings));
  return now + wait_s * 1'000'000;
}

int Courier::run_once() {
  const core::Micros now = clock_.now_us();
  const core::Micros lease_until =
      now + std::chrono::duration_cast<std::chrono::microseconds>(options_.lease).count();
  auto due = outbox_.claim_due(now, lease_until, options_.batch);
  if (!due) {
    core::log_event(core::LogLevel::warn, "mail outbox unavailable", {{"detail", due.error().detail}});
    return 0;
  }
  for (const store::MailRecord& m : *due) {
    const std::string message =
        format_message(options_.from, m.to, MailContent{m.subject, m.text, m.html},
                       clock_.now_us(), m.id.str());
    const SendResult sent = sender_.send(m.to, message);
    // The log names the mail, never its recipient's code or link.
    if (sent.ok) {
      if (auto r = outbox_.mark_sent(m.id, clock_.now_us()); !r) {
        core::log_event(core::LogLevel::warn, "mail sent but not marked",
                        {{"mail_id", m.id.str()}, {"detail", r.error().detail}});
      }
      continue;
    }
    const auto retry = sent.permanent ? std::nullopt : retry_at(m.attempts, clock_.now_us());
    core::log_event(retry ? core::LogLevel::warn : core::LogLevel::error,
                    retry ? "mail delivery failed, will retry" : "mail delivery failed for good",
                    {{"mail_id", m.id.str()}, {"kind", m.kind}, {"attempts", m.attempts},
                     {"reason", sent.reason}});
    if (auto r = outbox_.mark_failed(m.id, sent.reason, retry); !r) {
      core::log_event(core::LogLevel::warn, "mail failure not recorded",
                      {{"mail_id", m.id.str()}, {"detail", r.error().detail}});
    }
  }
  return static_cast<int>(due->size());
}

void Courier::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    const int tried = run_once();
    lock.lock();
    // A full batch means more may be due: go on at once.
    if (tried >= options_.batch || stopping_) continue;
    cv_.wait_for(lock, options_.poll, [this] { return stopping_ || woken_; });
    woken_ = false;
  }
}

}  // namespace latchkey::mail
