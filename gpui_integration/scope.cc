#include "gpui_integration/scope.h"

#include <vector>

namespace gpui {
namespace {

// A child's frame: the token is declared first so it is destroyed last, after
// the body's frame (and everything it borrows through) is gone.
struct CountedBody {
  internal::ScopeScheduler::ChildToken token;
  scheduler::Future<void> body;
};

scheduler::Future<void> RunCounted(CountedBody counted) { co_await std::move(counted.body); }

}  // namespace

Scope::Scope(std::shared_ptr<scheduler::Scheduler> target, std::source_location location)
    : children_scheduler_(std::make_shared<internal::ScopeScheduler>(target)),
      location_(location) {}

void Scope::Add(std::optional<scheduler::TaskLabel> label, scheduler::Future<void> body,
                std::source_location location) {
  // The token is created with the frame, so a child cancelled before its first
  // step is counted (and uncounted) like any other.
  scheduler::Future<void> counted =
      RunCounted(CountedBody{children_scheduler_->NewChild(), std::move(body)});
  const std::shared_ptr<scheduler::Scheduler> on = children_scheduler_;
  scheduler::Task<void> child =
      label.has_value() ? scheduler::SpawnLabeled(on, *label, std::move(counted), location)
                        : scheduler::Spawn(on, std::move(counted), location);
  absl::MutexLock lock(&mu_);
  // Once closed (a child spawning while the scope is torn down), the proxy has
  // already rejected, and so cancelled, the new child; `child`, declared
  // before the lock, is then dropped after unlocking.
  if (!closed_) children_.push_back(std::move(child));
}

scheduler::Future<void> Scope::JoinAll() {
  std::exception_ptr first_error;
  while (true) {
    scheduler::Task<void> next;
    {
      absl::MutexLock lock(&mu_);
      if (children_.empty()) break;
      next = std::move(children_.front());
      children_.pop_front();
    }
    try {
      co_await std::move(next);
    } catch (...) {
      if (first_error == nullptr) first_error = std::current_exception();
    }
  }
  if (first_error != nullptr) std::rethrow_exception(first_error);
}

Scope::~Scope() {
  // See "THE RULE THAT KEEPS BORROWS SAFE" in scope.h. After a normal
  // JoinAll every child is finished and this returns at once.
  std::deque<scheduler::Task<void>> children;
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    children.swap(children_);
  }
  std::vector<scheduler::Runnable> queued = children_scheduler_->Close();
  children.clear();  // cancels; idle children's frames are destroyed here
  queued.clear();    // queued children's frames are destroyed here
  children_scheduler_->WaitForChildFrames(location_);
}

}  // namespace gpui
