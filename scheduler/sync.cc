#include "scheduler/sync.h"

#include <string>

#include "scheduler/task_metadata.h"

namespace scheduler {
namespace {

// A primitive destroyed with waiters would leave their nodes dangling in a
// freed list and the tasks suspended forever.
void CheckNoWaiters(const internal::WaiterList& waiters, const char* what,
                    const std::source_location& location) {
  if (!waiters.empty()) {
    internal::FatalError(std::string(what) + " created at " + FormatLocation(location) +
                         " destroyed while tasks wait on it");
  }
}

}  // namespace

// --- Semaphore ---

Semaphore::Semaphore(uint64_t permits, std::source_location location)
    : location_(location), permits_(permits) {}

Semaphore::~Semaphore() {
  absl::MutexLock lock(&mu_);
  CheckNoWaiters(waiters_, "Semaphore", location_);
}

bool Semaphore::TryAcquire(internal::WaiterNode& node, internal::WakeList&) {
  // Only with nobody queued: FIFO, no barging past a waiting task.
  if (!waiters_.empty() || permits_ < node.want) return false;
  permits_ -= node.want;
  node.grant = node.want;
  return true;
}

std::optional<Semaphore::Permit> Semaphore::TryAcquire(uint64_t n) {
  internal::WaiterNode node;
  node.want = n;
  internal::WakeList none;  // a semaphore's fast path wakes nobody
  absl::MutexLock lock(&mu_);
  if (!TryAcquire(node, none)) return std::nullopt;
  return Permit(this, n);
}

void Semaphore::Serve(internal::WakeList& wakes) {
  while (!waiters_.empty() && waiters_.front()->want <= permits_) {
    const uint64_t want = waiters_.front()->want;
    permits_ -= want;
    waiters_.NotifyFront(want, wakes);
  }
}

void Semaphore::Release(uint64_t n) {
  internal::WakeList wakes;
  {
    absl::MutexLock lock(&mu_);
    permits_ += n;
    Serve(wakes);
  }
  internal::WakeAll(wakes);
}

void Semaphore::OnUnlinked(internal::WaiterNode&, internal::WakeList& wakes) {
  // The head that left may have been the one holding up those behind it.
  Serve(wakes);
}

void Semaphore::OnAbandoned(internal::WaiterNode& node, internal::WakeList& wakes) {
  permits_ += node.grant;
  Serve(wakes);
}

uint64_t Semaphore::available() const {
  absl::MutexLock lock(&mu_);
  return permits_;
}

// --- Mutex ---

Mutex::~Mutex() {
  if (IsLocked()) {
    internal::FatalError("Mutex created at " + FormatLocation(location_) +
                         " destroyed while locked (a Guard still holds it)");
  }
}

std::optional<Mutex::Guard> Mutex::TryLock() {
  std::optional<Semaphore::Permit> permit = semaphore_.TryAcquire(1);
  if (!permit.has_value()) return std::nullopt;
  return Guard(std::move(*permit));
}

// --- Event ---

Event::Event(Mode mode, bool initially_set, std::source_location location)
    : mode_(mode), location_(location), set_(initially_set) {}

Event::~Event() {
  absl::MutexLock lock(&mu_);
  CheckNoWaiters(waiters_, "Event", location_);
}

bool Event::TryAcquire(internal::WaiterNode&, internal::WakeList&) {
  if (!set_) return false;
  if (mode_ == kAutoReset) set_ = false;  // this wait consumes the signal
  return true;
}

void Event::SetLocked(internal::WakeList& wakes) {
  if (mode_ == kManualReset) {
    set_ = true;
    waiters_.NotifyAll(0, wakes);
  } else if (waiters_.empty()) {
    set_ = true;
  } else {
    waiters_.NotifyFront(0, wakes);  // handed over: the event stays unset
  }
}

void Event::Set() {
  internal::WakeList wakes;
  {
    absl::MutexLock lock(&mu_);
    SetLocked(wakes);
  }
  internal::WakeAll(wakes);
}

void Event::Reset() {
  absl::MutexLock lock(&mu_);
  set_ = false;
}

bool Event::IsSet() const {
  absl::MutexLock lock(&mu_);
  return set_;
}

void Event::OnAbandoned(internal::WaiterNode&, internal::WakeList& wakes) {
  // An auto-reset signal handed to a cancelled waiter goes to the next one.
  if (mode_ == kAutoReset) SetLocked(wakes);
}

// --- Latch ---

Latch::Latch(uint64_t count, std::source_location location) : location_(location), count_(count) {}

Latch::~Latch() {
  absl::MutexLock lock(&mu_);
  CheckNoWaiters(waiters_, "Latch", location_);
}

void Latch::CountDown(uint64_t n) {
  internal::WakeList wakes;
  {
    absl::MutexLock lock(&mu_);
    if (n > count_) {
      internal::FatalError("Latch created at " + FormatLocation(location_) +
                           " counted down below zero");
    }
    count_ -= n;
    if (count_ == 0) waiters_.NotifyAll(0, wakes);
  }
  internal::WakeAll(wakes);
}

bool Latch::IsReady() const {
  absl::MutexLock lock(&mu_);
  return count_ == 0;
}

// --- Barrier ---

Barrier::Barrier(uint64_t parties, std::source_location location)
    : parties_(parties), location_(location) {
  if (parties == 0) {
    internal::FatalError("Barrier created at " + FormatLocation(location) + " with 0 parties");
  }
}

Barrier::~Barrier() {
  absl::MutexLock lock(&mu_);
  CheckNoWaiters(waiters_, "Barrier", location_);
}

bool Barrier::TryAcquire(internal::WaiterNode& node, internal::WakeList& wakes) {
  if (arrived_ + 1 < parties_) return false;
  // The last arrival completes the phase without waiting.
  waiters_.NotifyAll(0, wakes);
  arrived_ = 0;
  ++phase_;
  node.grant = 1;  // the leader
  return true;
}

uint64_t Barrier::phase() const {
  absl::MutexLock lock(&mu_);
  return phase_;
}

}  // namespace scheduler
