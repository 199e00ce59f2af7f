// api::after_reply: a handler's work for after the answer runs only once the answer is
// released (written, in the server), on the store pool, in the order it was queued, and is
// not lost when a step of the request is refused.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <vector>

#include "api/core/pipeline.hpp"
#include "api/core/route_table.hpp"
#include "core/worker_pool.hpp"
#include "support/services.hpp"

namespace latchkey::api {
namespace {

using namespace std::chrono_literals;

ErrorRenderer plain_errors() {
  return {[](const Error& e) {
            http::Response r;
            r.status = e.code == Errc::unavailable ? 503 : 500;
            return r;
          },
          [](int status, std::string_view) {
            http::Response r;
            r.status = status;
            return r;
          }};
}

class AfterReplyTest : public ::testing::Test {
 protected:
  AfterReplyTest() : store_pool_("t-db", 1, 64), hash_pool_("t-hash", 1, 1) {
    const auto surface = routes_.add_surface(Surface{"test", "/", plain_errors(), {}});
    // Queues a job on the store pool, then answers.
    routes_.add(surface, Route{http::Method::post, "/one", Access::anonymous,
                               [this](Call&) -> Outcome {
                                 after_reply([this] { record("one"); });
                                 return http::Response{};
                               },
                               Pool::store});
    // Queues a job on the I/O thread, a second one on the hashing pool, then answers.
    routes_.add(surface,
                Route{http::Method::post, "/two", Access::anonymous, [this](Call&) -> Outcome {
                        after_reply([this] { record("first"); });
                        return on(Pool::hashing, [this](Call&) -> Outcome {
                          after_reply([this] { record("second"); });
                          return http::Response{};
                        });
                      }});
    // Queues a job, then asks for the hashing pool (which the test keeps full).
    routes_.add(surface,
                Route{http::Method::post, "/refused", Access::anonymous, [this](Call&) -> Outcome {
                        after_reply([this] { record("kept"); });
                        return on(Pool::hashing, [](Call&) -> Outcome { return http::Response{}; });
                      }});
    pipeline_ = std::make_unique<Pipeline>(PipelineDeps{routes_, *s_.auth, store_pool_, hash_pool_},
                                           PipelineOptions{});
  }

  // The answer, held as the server holds it until it is written.
  http::Response ask(const char* path) {
    std::promise<http::Response> answered;
    auto answer = answered.get_future();
    http::Request req;
    req.method = http::Method::post;
    req.path = path;
    req.remote_ip = "192.0.2.1";
    pipeline_->handle(std::move(req),
                      [&answered](http::Response r) { answered.set_value(std::move(r)); });
    return answer.get();
  }

  void record(const char* what) {
    std::lock_guard lock(mu_);
    ran_.push_back(what);
    ran_cv_.notify_all();
  }
  // What has run once `count` jobs have (or 5 s have passed).
  std::vector<std::string> ran(size_t count) {
    std::unique_lock lock(mu_);
    ran_cv_.wait_for(lock, 5s, [&] { return ran_.size() >= count; });
    return ran_;
  }
  // Lets queued store-pool work finish, then says what ran.
  std::vector<std::string> ran_so_far() {
    std::promise<void> drained;
    EXPECT_TRUE(store_pool_.try_submit([&] { drained.set_value(); }));
    drained.get_future().wait();
    std::lock_guard lock(mu_);
    return ran_;
  }

  testing::Services s_;
  core::WorkerPool store_pool_;
  core::WorkerPool hash_pool_;
  RouteTable routes_;
  std::unique_ptr<Pipeline> pipeline_;
  std::mutex mu_;
  std::condition_variable ran_cv_;
  std::vector<std::string> ran_;
};

TEST_F(AfterReplyTest, AJobWaitsUntilTheAnswerIsReleased) {
  std::optional<http::Response> answer = ask("/one");
  EXPECT_EQ(answer->status, 200);
  EXPECT_TRUE(ran_so_far().empty()) << "ran while the answer was still unsent";
  answer.reset();  // written
  EXPECT_EQ(ran(1), std::vector<std::string>{"one"});
}

TEST_F(AfterReplyTest, JobsOfEveryStepRunInTheOrderTheyWereQueued) {
  std::optional<http::Response> answer = ask("/two");
  EXPECT_TRUE(ran_so_far().empty());
  answer.reset();
  EXPECT_EQ(ran(2), (std::vector<std::string>{"first", "second"}));
}

TEST_F(AfterReplyTest, ARefusedStepStillRunsTheJobsQueuedBeforeIt) {
  // Fill the hashing pool (one thread, a queue of one) so the next step is refused.
  std::promise<void> release, started;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(hash_pool_.try_submit([released, &started] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();
  ASSERT_TRUE(hash_pool_.try_submit([released] { released.wait(); }));
  ASSERT_FALSE(hash_pool_.try_submit([] {})) << "the pool should be full";

  std::optional<http::Response> answer = ask("/refused");
  EXPECT_EQ(answer->status, 503);
  answer.reset();
  EXPECT_EQ(ran(1), std::vector<std::string>{"kept"});
  release.set_value();
}

TEST_F(AfterReplyTest, OutsideAHandlerAJobRunsAtOnce) {
  bool ran_now = false;
  after_reply([&] { ran_now = true; });
  EXPECT_TRUE(ran_now);
}

}  // namespace
}  // namespace latchkey::api
