#include "http/pending_reply.hpp"

// clang-format off
#include <utility>  // first: Boost 1.74's awaitable.hpp uses std::exchange without it
// clang-format on

#include <boost/asio/post.hpp>

#include "core/log.hpp"
#include "http/session.hpp"

namespace latchkey::http {

PendingReply::~PendingReply() {
  if (!done_.exchange(true)) {
    core::log_event(core::LogLevel::error, "handler dropped its reply");
    deliver(std::nullopt);
  }
}

void PendingReply::complete(Response r) {
  if (done_.exchange(true)) {
    core::log_event(core::LogLevel::error, "reply called more than once");
    return;
  }
  deliver(std::move(r));
}

void PendingReply::fail() {
  if (!done_.exchange(true)) deliver(std::nullopt);
}

void PendingReply::deliver(std::optional<Response> r) {
  std::unique_lock lock(gate_->mu);
  if (!gate_->open) return;
  std::shared_ptr<Session> s = session_.lock();
  if (!s) return;  // the connection closed meanwhile: nobody to answer
  if (s->executor().running_in_this_thread() && s->in_handle()) {
    // Replied synchronously from inside handle(): skip the post and its queue round trip.
    lock.unlock();
    s->accept_reply(std::move(r));
    return;
  }
  // The shared_ptr moves into the posted handler, so the session is released on its own
  // loop's thread (or with the io_context), never here.
  auto ex = s->executor();
  net::post(ex, [s = std::move(s), r = std::move(r)]() mutable { s->accept_reply(std::move(r)); });
}

}  // namespace latchkey::http
