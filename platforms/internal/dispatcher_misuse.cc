#include "platforms/internal/dispatcher_misuse.h"

#include "scheduler/current_task.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/task_metadata.h"

namespace scheduler::platform_internal {
namespace {

std::string CreatedAt(std::source_location created_at) {
  return "; the dispatcher was created at " + FormatLocation(created_at) + ".";
}

}  // namespace

void FailRunMainLoopOffMainThread(const char* dispatcher, const std::string& caller_thread,
                                  const std::string& main_thread, std::source_location created_at) {
  internal::FatalError(std::string(dispatcher) + "::RunMainLoop called on " + caller_thread +
                       ", but the dispatcher's main thread is " + main_thread +
                       CreatedAt(created_at));
}

void FailRunMainLoopReentered(const char* dispatcher, std::source_location created_at) {
  const TaskMetadata* task = CurrentTaskMetadata();
  internal::FatalError(
      std::string(dispatcher) + "::RunMainLoop re-entered from inside a foreground step" +
      (task != nullptr ? " of " + DescribeTask(*task) : std::string()) + CreatedAt(created_at));
}

void CheckShutdownCaller(const char* dispatcher, bool on_pool_thread, const char* why,
                         std::source_location created_at) {
  if (on_pool_thread) {
    internal::FatalError(std::string(dispatcher) +
                         "::Shutdown called on one of its own pool threads (" + why +
                         "); call it from the main thread" + CreatedAt(created_at));
  }
  if (const TaskMetadata* task = CurrentTaskMetadata()) {
    internal::FatalError(std::string(dispatcher) + "::Shutdown called from inside " +
                         DescribeTask(*task) + "; call it after RunMainLoop returns" +
                         CreatedAt(created_at));
  }
}

}  // namespace scheduler::platform_internal
