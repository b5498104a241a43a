#include "cloud_integration/simulated_execution_context.h"

#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cloud_integration/internal/fatal.h"
#include "cloud_integration/internal/session_tracker.h"
#include "cloud_integration/internal/wait_until_work.h"
#include "scheduler/current_task.h"
#include "scheduler/unhandled_exception.h"

namespace cloud {
namespace {

using scheduler::Future;
using scheduler::Task;
using scheduler::TaskId;

std::optional<TaskId> RunningTaskId() {
  const scheduler::TaskMetadata* running = scheduler::CurrentTaskMetadata();
  if (running == nullptr) return std::nullopt;
  return running->id;
}

std::shared_ptr<scheduler::Scheduler> Observed(std::shared_ptr<scheduler::Scheduler> scheduler,
                                               std::shared_ptr<internal::SessionTracker> tracker,
                                               std::source_location location) {
  if (scheduler == nullptr) {
    internal::Fatal("SimulatedExecutionContext with a null scheduler at " +
                    scheduler::FormatLocation(location));
  }
  scheduler->AddTaskObserver(std::move(tracker));
  return scheduler;
}

// Restores the previous scope when `WithSession`'s callback returns or throws.
class ScopeRestorer {
 public:
  ScopeRestorer(internal::SessionTracker& tracker, internal::SessionTracker::Scope previous)
      : tracker_(tracker), previous_(previous) {}
  ScopeRestorer(const ScopeRestorer&) = delete;
  ScopeRestorer& operator=(const ScopeRestorer&) = delete;
  ~ScopeRestorer() { tracker_.ExchangeScope(previous_); }

 private:
  internal::SessionTracker& tracker_;
  const internal::SessionTracker::Scope previous_;
};

}  // namespace

SimulatedExecutionContext::SimulatedExecutionContext(
    std::shared_ptr<scheduler::Scheduler> scheduler, Options options, std::source_location location)
    : origin_(options.origin ? std::move(options.origin) : OriginHandler(internal::NoOrigin)),
      report_(internal::ReporterOrDefault(std::move(options.on_wait_until_error))),
      tracker_(std::make_shared<internal::SessionTracker>()),
      scheduler_(Observed(std::move(scheduler), tracker_, location)),
      executor_(scheduler_, location) {}

// Dropping `pending_` cancels the wait-until work nobody awaited.
SimulatedExecutionContext::~SimulatedExecutionContext() = default;

CloudSessionId SimulatedExecutionContext::CreateSession() { return tracker_->NewSession(); }

absl::Status SimulatedExecutionContext::RunInSession(CloudSessionId session,
                                                     absl::FunctionRef<void()> fn) {
  if (absl::Status known = tracker_->CheckSession(session); !known.ok()) return known;
  ScopeRestorer restore(*tracker_, tracker_->ExchangeScope({session, RunningTaskId()}));
  fn();
  return absl::OkStatus();
}

absl::Status SimulatedExecutionContext::SetCurrentSession(CloudSessionId session) {
  if (absl::Status known = tracker_->CheckSession(session); !known.ok()) return known;
  tracker_->ExchangeScope({session, RunningTaskId()});
  return absl::OkStatus();
}

void SimulatedExecutionContext::ClearCurrentSession() { tracker_->ExchangeScope({}); }

std::optional<CloudSessionId> SimulatedExecutionContext::GetCurrentSession() const {
  return tracker_->SessionFor(RunningTaskId());
}

absl::Status SimulatedExecutionContext::ValidateSessionCleanup(CloudSessionId session) const {
  return tracker_->Validate(session);
}

absl::Status SimulatedExecutionContext::TrackTaskForSession(TaskId task, CloudSessionId session) {
  if (absl::Status known = tracker_->CheckSession(session); !known.ok()) return known;
  return tracker_->Track(task, session);
}

absl::Status SimulatedExecutionContext::AddWaitUntilTask(TaskId task) {
  if (tracker_->AuthorizeWaitUntil(task).has_value()) return absl::OkStatus();
  return absl::NotFoundError(absl::StrCat(
      "AddWaitUntilTask: task#", task.value(),
      " belongs to no session (spawn it inside WithSession, or call TrackTaskForSession first), "
      "or is no longer live"));
}

absl::Status SimulatedExecutionContext::AddWaitUntilTask(CloudSessionId session, TaskId task) {
  if (absl::Status tracked = TrackTaskForSession(task, session); !tracked.ok()) return tracked;
  return AddWaitUntilTask(task);
}

std::optional<CloudSessionId> SimulatedExecutionContext::SessionOf(TaskId task) const {
  return tracker_->SessionOf(task);
}

absl::StatusOr<std::vector<TaskId>> SimulatedExecutionContext::LiveTasks(
    CloudSessionId session) const {
  if (absl::Status known = tracker_->CheckSession(session); !known.ok()) return known;
  return tracker_->LiveTasks(session);
}

absl::StatusOr<bool> SimulatedExecutionContext::PassThroughRequested(CloudSessionId session) const {
  if (absl::Status known = tracker_->CheckSession(session); !known.ok()) return known;
  return tracker_->PassThroughRequested(session);
}

CloudSessionId SimulatedExecutionContext::RequireSession(const char* operation,
                                                         std::source_location location) const {
  std::optional<CloudSessionId> session = GetCurrentSession();
  if (!session) {
    internal::Fatal(absl::StrCat(
        operation, " called outside of any session at ", scheduler::FormatLocation(location),
        ": call it from a request's handler (a task spawned by ServeRequest or inside "
        "WithSession) or inside WithSession"));
  }
  return *session;
}

void SimulatedExecutionContext::DoWaitUntil(Future<absl::Status> work,
                                            std::source_location location) {
  if (!work.valid()) {
    internal::Fatal("ExecutionContext::WaitUntil with an empty Future at " +
                    scheduler::FormatLocation(location));
  }
  const CloudSessionId session = RequireSession("ExecutionContext::WaitUntil", location);
  Task<absl::Status> task = executor_.Spawn(internal::CatchExceptions(std::move(work)), location);
  // The spawn joined `session` by the same rule GetCurrentSession used, and no
  // step of it can run before this line: the scheduler never runs a task
  // inline, so it cannot have spawned unauthorized children yet.
  if (tracker_->AuthorizeWaitUntil(task.id()) != session) {
    internal::Fatal("SimulatedExecutionContext: wait-until task at " +
                    scheduler::FormatLocation(location) + " did not join its session");
  }
  pending_[session].push_back(PendingWork{std::move(task), location});
}

void SimulatedExecutionContext::DoPassThrough(std::source_location location) {
  tracker_->RequestPassThrough(RequireSession("ExecutionContext::PassThrough", location));
}

Future<void> SimulatedExecutionContext::DoDelay(scheduler::Duration delay,
                                                std::source_location location) {
  co_await executor_.background().Timer(delay, location);
}

Future<absl::Status> SimulatedExecutionContext::WaitUntilSettled(CloudSessionId session) {
  if (absl::Status known = tracker_->CheckSession(session); !known.ok()) co_return known;
  internal::FailureList failures;
  while (true) {
    // Looked up again on every round: work may be registered (and `pending_`
    // rehashed) while this waits.
    auto it = pending_.find(session);
    if (it == pending_.end() || it->second.empty()) break;
    PendingWork work = std::move(it->second.front());
    it->second.pop_front();
    absl::Status status = co_await std::move(work.task);
    if (!status.ok()) {
      report_(status, work.location);
      failures.Add(std::move(status), work.location);
    }
  }
  pending_.erase(session);
  co_return failures.Combined();
}

Future<SimulatedRequestResult> SimulatedExecutionContext::ServeRequest(
    Request request, RequestHandler handler, std::source_location location) {
  SimulatedRequestResult result;
  result.session = CreateSession();
  Task<Response> handler_task;
  // Cannot fail: the session was just created.
  WithSession(result.session, [&] {
    handler_task = executor_.Spawn(
        [this, handler = std::move(handler), request]() { return handler(request, *this, *this); },
        location);
  }).IgnoreError();
  std::exception_ptr error;
  try {
    result.response = co_await std::move(handler_task);
  } catch (...) {
    error = std::current_exception();
  }
  // The response is out: from here on only wait-until work may still run.
  result.cleanup = ValidateSessionCleanup(result.session);
  if (error != nullptr) {
    result.handler_error =
        absl::InternalError(absl::StrCat("handler threw: ", scheduler::DescribeException(error)));
    if (tracker_->PassThroughRequested(result.session)) {
      result.passed_through = true;
      result.response = co_await origin_(request);
    } else {
      result.response = internal::InternalErrorResponse(result.handler_error);
    }
  }
  result.wait_until = co_await WaitUntilSettled(result.session);
  co_return result;
}

}  // namespace cloud
