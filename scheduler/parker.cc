#include "scheduler/parker.h"

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace scheduler {
namespace internal {

struct ParkState {
  absl::Mutex mu;
  bool token ABSL_GUARDED_BY(mu) = false;
};

}  // namespace internal

void Unparker::Unpark() const {
  if (state_ == nullptr) return;
  absl::MutexLock lock(&state_->mu);
  state_->token = true;  // absl::Mutex re-evaluates the waiter's Condition on unlock.
}

Parker::Parker() : state_(std::make_shared<internal::ParkState>()) {}
Parker::~Parker() = default;

bool Parker::Park(std::optional<Duration> timeout) {
  absl::MutexLock lock(&state_->mu);
  const absl::Condition has_token(&state_->token);
  bool got;
  if (timeout.has_value()) {
    got = state_->mu.AwaitWithTimeout(has_token, absl::FromChrono(NonNegative(*timeout)));
  } else {
    state_->mu.Await(has_token);
    got = true;
  }
  if (got) state_->token = false;
  return got;
}

bool Parker::TryConsume() {
  absl::MutexLock lock(&state_->mu);
  const bool had = state_->token;
  state_->token = false;
  return had;
}

}  // namespace scheduler
