#include "gpui_integration/detach_and_log_err.h"

#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/internal/typed_task_core.h"
#include "scheduler/task_metadata.h"

namespace gpui {
namespace {

void LogToStderr(const TaskError& error) {
  const std::string line = FormatTaskError(error);
  std::fprintf(stderr, "gpui: %s\n", line.c_str());
  std::fflush(stderr);
}

// The logger is swapped as a whole shared_ptr, so LogTaskError can call the
// one it copied while another thread installs a new one.
struct LoggerSlot {
  absl::Mutex mu;
  std::shared_ptr<const TaskErrorLogger> logger ABSL_GUARDED_BY(mu);
};

LoggerSlot& Slot() {
  // Never destroyed: detached tasks may still log while statics are torn down.
  static LoggerSlot* const slot = new LoggerSlot;
  return *slot;
}

}  // namespace

std::string FormatTaskError(const TaskError& error) {
  return absl::StrCat("task#", error.task.value(), " spawned at ",
                      scheduler::FormatLocation(error.spawned_at), " (detached at ",
                      scheduler::FormatLocation(error.detached_at),
                      ") failed: ", error.status.ToString());
}

TaskErrorLogger SetTaskErrorLogger(TaskErrorLogger logger) {
  std::shared_ptr<const TaskErrorLogger> next;
  if (logger) next = std::make_shared<const TaskErrorLogger>(std::move(logger));
  std::shared_ptr<const TaskErrorLogger> previous;
  {
    LoggerSlot& slot = Slot();
    absl::MutexLock lock(&slot.mu);
    previous = std::exchange(slot.logger, std::move(next));
  }
  return previous == nullptr ? TaskErrorLogger() : *previous;
}

void LogTaskError(const TaskError& error) {
  std::shared_ptr<const TaskErrorLogger> logger;
  {
    LoggerSlot& slot = Slot();
    absl::MutexLock lock(&slot.mu);
    logger = slot.logger;
  }
  if (logger == nullptr) {
    LogToStderr(error);
  } else {
    (*logger)(error);
  }
}

namespace internal {

bool IsTaskCancelled(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const scheduler::TaskCancelledError&) {
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace internal
}  // namespace gpui
