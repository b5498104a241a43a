#include "scheduler/ids.h"

#include <atomic>

namespace scheduler {
namespace {
std::atomic<uint64_t> next_label{1};
std::atomic<uint64_t> next_session{1};
}  // namespace

TaskLabel TaskLabel::New() { return TaskLabel(next_label.fetch_add(1, std::memory_order_relaxed)); }

SessionId SessionId::New() {
  return SessionId(next_session.fetch_add(1, std::memory_order_relaxed));
}

std::ostream& operator<<(std::ostream& os, TaskId id) { return os << "task#" << id.value(); }
std::ostream& operator<<(std::ostream& os, TaskLabel label) {
  return os << "label#" << label.value();
}
std::ostream& operator<<(std::ostream& os, SessionId session) {
  return os << "session#" << session.value();
}

}  // namespace scheduler
