#include "scheduler/real_time_context.h"

namespace scheduler {
namespace {

// One per thread, not per context: a thread parks in one place at a time, and
// an Unparker taken through any context must wake that one Park.
Parker& ThreadParker() {
  thread_local Parker parker;
  return parker;
}

}  // namespace

bool RealTimeContext::Park(std::optional<Duration> timeout) { return ThreadParker().Park(timeout); }

Unparker RealTimeContext::GetUnparker() { return ThreadParker().GetUnparker(); }

}  // namespace scheduler
