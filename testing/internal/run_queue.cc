#include "testing/internal/run_queue.h"

#include <utility>

namespace scheduler::internal {
namespace {

template <typename T>
T SwapRemove(std::vector<T>& v, size_t i) {
  T taken = std::move(v[i]);
  if (i + 1 != v.size()) v[i] = std::move(v.back());
  v.pop_back();
  return taken;
}

// Fetches the cache lines of the task `runnable` will run: its core and,
// right behind it in the same block, the start of the frame the step resumes
// (scheduler/internal/task_block.h).
// Always inlined: a call that only prefetches has no effect the compiler must
// keep, and GCC drops it.
[[gnu::always_inline]] inline void PrefetchTask(const Runnable& runnable) {
  constexpr size_t kPrefetchBytes = 256;
  const char* core = reinterpret_cast<const char*>(RunnableAccess::Peek(runnable));
  for (size_t offset = 0; offset < kPrefetchBytes; offset += 64) __builtin_prefetch(core + offset);
}

// The next draw is `rng`'s next value scaled to the size the queue has then:
// usually the size now plus the one runnable this step re-queues (a yield, a
// wake), or the size now if it queues none. Both sizes land on the same index
// or on neighbours, so fetching both candidates now overlaps the memory
// latency with this step instead of stalling the next one on it. A wrong guess
// costs only the prefetches: nothing is drawn here.
[[gnu::always_inline]] inline void PrefetchLikelyNext(const Rng& rng,
                                                      const std::vector<Runnable>& queue) {
  const size_t n = queue.size();
  const size_t i =
      static_cast<size_t>((static_cast<unsigned __int128>(rng.PeekNext()) * (n + 1)) >> 64);
  if (i < n) PrefetchTask(queue[i]);
  if (i > 0) PrefetchTask(queue[i - 1]);
}

}  // namespace

void RunQueue::PushForeground(SessionId session, Runnable&& runnable) {
  std::deque<Runnable>& queue = sessions_[session];
  if (queue.empty()) {
    active_index_[session] = active_sessions_.size();
    active_sessions_.push_back(session);
  }
  queue.push_back(std::move(runnable));
  ++size_foreground_;
}

Runnable RunQueue::TakeSessionHead(size_t active_index) {
  const SessionId session = active_sessions_[active_index];
  std::deque<Runnable>& queue = sessions_.at(session);
  Runnable head = std::move(queue.front());
  queue.pop_front();
  --size_foreground_;
  if (queue.empty()) {
    active_index_.erase(session);
    SwapRemove(active_sessions_, active_index);
    if (active_index < active_sessions_.size()) {
      active_index_[active_sessions_[active_index]] = active_index;
    }
  }
  return head;
}

Runnable RunQueue::PopMedium(size_t sessions, std::optional<size_t> skip) {
  size_t pick = rng_.Below(background_.size() + sessions);
  if (pick < background_.size()) return SwapRemove(background_, pick);
  pick -= background_.size();
  if (skip && pick >= *skip) ++pick;
  return TakeSessionHead(pick);
}

void RunQueue::MoveToDeprioritized(TaskLabel label) {
  // In place, keeping the survivors' order (the vectors' order is part of
  // what a seed replays); every priority class, high first.
  for (std::vector<Runnable>* queue : {&high_, &background_, &low_}) {
    size_t kept = 0;
    for (size_t i = 0; i < queue->size(); ++i) {
      if ((*queue)[i].metadata().label == label) {
        deprioritized_.push_back(std::move((*queue)[i]));
      } else {
        if (kept != i) (*queue)[kept] = std::move((*queue)[i]);
        ++kept;
      }
    }
    queue->resize(kept);
  }
}

Runnable RunQueue::Pop(std::optional<SessionId> excluded) {
  // The common case, only medium background work: the draw PopMedium would
  // make (sessions = 0, so nothing to skip), without its calls.
  if (active_sessions_.empty() && high_.empty() && low_.empty() && !background_.empty()) {
    const size_t pick = rng_.Below(background_.size());
    Runnable taken = std::move(background_[pick]);
    if (pick + 1 != background_.size()) background_[pick] = std::move(background_.back());
    background_.pop_back();
    if (background_.size() >= kPrefetchFrom) PrefetchLikelyNext(rng_, background_);
    return taken;
  }
  // The excluded session, if it has work, is skipped by shifting indices past it.
  std::optional<size_t> skip;
  if (excluded) {
    auto it = active_index_.find(*excluded);
    if (it != active_index_.end()) skip = it->second;
  }
  const size_t sessions = active_sessions_.size() - (skip ? 1 : 0);
  const size_t medium = background_.size() + sessions;
  if (high_.empty() && low_.empty()) {
    // Only medium work: the draw priorities did not exist for (see the header).
    if (medium > 0) return PopMedium(sessions, skip);
  } else {
    constexpr uint64_t kHighWeight = 60, kMediumWeight = 30, kLowWeight = 10;
    const uint64_t high = high_.empty() ? 0 : kHighWeight;
    const uint64_t mid = medium == 0 ? 0 : kMediumWeight;
    const uint64_t low = low_.empty() ? 0 : kLowWeight;
    const uint64_t draw = rng_.Below(high + mid + low);
    if (draw < high) return SwapRemove(high_, rng_.Below(high_.size()));
    if (draw < high + mid) return PopMedium(sessions, skip);
    return SwapRemove(low_, rng_.Below(low_.size()));
  }
  // Deprioritized work runs when nothing else can, which includes the case
  // where everything else belongs to the blocked session.
  if (!deprioritized_.empty()) {
    return SwapRemove(deprioritized_, rng_.Below(deprioritized_.size()));
  }
  return Runnable();
}

void RunQueue::ForEach(absl::FunctionRef<void(const Runnable&)> fn) const {
  for (const Runnable& r : background_) fn(r);
  for (const Runnable& r : high_) fn(r);
  for (const Runnable& r : low_) fn(r);
  for (SessionId s : active_sessions_) {
    for (const Runnable& r : sessions_.at(s)) fn(r);
  }
  for (const Runnable& r : deprioritized_) fn(r);
}

void RunQueue::DrainInto(std::vector<Runnable>& out) {
  for (Runnable& r : background_) out.push_back(std::move(r));
  for (Runnable& r : high_) out.push_back(std::move(r));
  for (Runnable& r : low_) out.push_back(std::move(r));
  for (SessionId s : active_sessions_) {
    for (Runnable& r : sessions_.at(s)) out.push_back(std::move(r));
  }
  for (Runnable& r : deprioritized_) out.push_back(std::move(r));
  background_.clear();
  high_.clear();
  low_.clear();
  deprioritized_.clear();
  sessions_.clear();
  active_sessions_.clear();
  active_index_.clear();
  size_foreground_ = 0;
}

}  // namespace scheduler::internal
