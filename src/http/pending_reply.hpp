#pragma once
// The state behind one Reply: makes the callback safe to call from any thread, exactly once,
// even after the connection or the whole server is gone.
#include <atomic>
#include <memory>
#include <optional>

#include "http/message.hpp"

namespace latchkey::http {

class Session;
struct ReplyGate;

class PendingReply {
 public:
  PendingReply(std::weak_ptr<Session> session, std::shared_ptr<ReplyGate> gate)
      : session_(std::move(session)), gate_(std::move(gate)) {}
  // A handler that drops every copy of its Reply without calling it would leave the client
  // waiting forever; answer 500 instead.
  ~PendingReply();
  PendingReply(const PendingReply&) = delete;
  PendingReply& operator=(const PendingReply&) = delete;

  void complete(Response r);
  // 500 unless already completed (the handler threw).
  void fail();

 private:
  void deliver(std::optional<Response> r);

  std::weak_ptr<Session> session_;
  std::shared_ptr<ReplyGate> gate_;
  std::atomic<bool> done_{false};
};

}  // namespace latchkey::http
