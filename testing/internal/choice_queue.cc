#include "testing/internal/choice_queue.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "scheduler/future.h"

namespace scheduler::internal {

ChoiceQueue::ChoiceQueue(std::shared_ptr<ScheduleChooser> chooser) : chooser_(std::move(chooser)) {
  if (chooser_ == nullptr) FatalError("internal: ChoiceQueue without a chooser");
}

void ChoiceQueue::PushForeground(SessionId session, Runnable&& runnable) {
  sessions_[session].push_back(std::move(runnable));
}

size_t ChoiceQueue::size() const {
  size_t n = background_.size() + deprioritized_.size();
  for (const auto& [session, queue] : sessions_) n += queue.size();
  return n;
}

void ChoiceQueue::Collect(std::optional<SessionId> excluded) {
  candidates_.clear();
  for (size_t i = 0; i < background_.size(); ++i) {
    candidates_.push_back(
        {background_[i].metadata().id, Candidate::From::kBackground, i, SessionId()});
  }
  for (const auto& [session, queue] : sessions_) {
    if (session == excluded) continue;
    candidates_.push_back({queue.front().metadata().id, Candidate::From::kSession, 0, session});
  }
  if (!candidates_.empty()) return;
  // Deprioritized work is a candidate only when nothing else is.
  for (size_t i = 0; i < deprioritized_.size(); ++i) {
    candidates_.push_back(
        {deprioritized_[i].metadata().id, Candidate::From::kDeprioritized, i, SessionId()});
  }
}

Runnable ChoiceQueue::Take(const Candidate& candidate) {
  auto swap_remove = [](std::vector<Runnable>& v, size_t i) {
    Runnable taken = std::move(v[i]);
    if (i + 1 != v.size()) v[i] = std::move(v.back());
    v.pop_back();
    return taken;
  };
  switch (candidate.from) {
    case Candidate::From::kBackground:
      return swap_remove(background_, candidate.index);
    case Candidate::From::kDeprioritized:
      return swap_remove(deprioritized_, candidate.index);
    case Candidate::From::kSession: {
      auto it = sessions_.find(candidate.session);
      Runnable head = std::move(it->second.front());
      it->second.pop_front();
      if (it->second.empty()) sessions_.erase(it);
      return head;
    }
  }
  FatalError("internal: ChoiceQueue candidate of no kind");
}

Runnable ChoiceQueue::Pop(std::optional<SessionId> excluded) {
  Collect(excluded);
  if (candidates_.empty()) return Runnable();
  ++steps_;
  // The canonical order (schedule_chooser.h): the previous step's task first
  // if it is a candidate, then ascending ids. A task has at most one runnable,
  // so ids are distinct.
  std::sort(candidates_.begin(), candidates_.end(),
            [](const Candidate& a, const Candidate& b) { return a.task < b.task; });
  bool previous_is_candidate = false;
  if (previous_.has_value()) {
    auto it = std::find_if(candidates_.begin(), candidates_.end(),
                           [&](const Candidate& c) { return c.task == *previous_; });
    if (it != candidates_.end()) {
      std::rotate(candidates_.begin(), it, it + 1);
      previous_is_candidate = true;
    }
  }
  size_t pick = 0;
  if (candidates_.size() > 1) {
    ids_.clear();
    for (const Candidate& c : candidates_) ids_.push_back(c.task);
    pick = chooser_->Choose(ChoicePoint{.step = steps_,
                                        .candidates = absl::MakeConstSpan(ids_),
                                        .previous_is_candidate = previous_is_candidate});
    if (pick >= candidates_.size()) {
      FatalError(absl::StrCat("ScheduleChooser::Choose returned ", pick, " for ",
                              candidates_.size(), " candidates at step ", steps_));
    }
  }
  if (pick != 0) {
    stats_.explicit_steps = steps_;
    if (previous_is_candidate) ++stats_.preemptions;
  }
  previous_ = candidates_[pick].task;
  return Take(candidates_[pick]);
}

void ChoiceQueue::ForEach(absl::FunctionRef<void(const Runnable&)> fn) const {
  for (const Runnable& r : background_) fn(r);
  for (const auto& [session, queue] : sessions_) {
    for (const Runnable& r : queue) fn(r);
  }
  for (const Runnable& r : deprioritized_) fn(r);
}

void ChoiceQueue::DrainInto(std::vector<Runnable>& out) {
  for (Runnable& r : background_) out.push_back(std::move(r));
  for (auto& [session, queue] : sessions_) {
    for (Runnable& r : queue) out.push_back(std::move(r));
  }
  for (Runnable& r : deprioritized_) out.push_back(std::move(r));
  background_.clear();
  sessions_.clear();
  deprioritized_.clear();
}

void ChoiceQueue::MoveToDeprioritized(TaskLabel label) {
  size_t kept = 0;
  for (size_t i = 0; i < background_.size(); ++i) {
    if (background_[i].metadata().label == label) {
      deprioritized_.push_back(std::move(background_[i]));
    } else {
      if (kept != i) background_[kept] = std::move(background_[i]);
      ++kept;
    }
  }
  background_.resize(kept);
}

}  // namespace scheduler::internal
