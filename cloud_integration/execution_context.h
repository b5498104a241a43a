// ExecutionContext and PlatformRuntime: what a Cloud worker's code sees of the
// platform that runs it.
//
// The model is Cloudflare Workers: a handler serves one request, may start
// background work that must finish before the platform considers the request
// done (`ctx.waitUntil`), and may ask to fall back to the origin server if it
// fails (`ctx.passThroughOnException`). Everything a worker does runs on one
// single-threaded event loop (a ForegroundExecutor), so worker futures need
// not be thread-safe.
//
// Implementations:
//   * SimulatedExecutionContext (simulated_execution_context.h): one context
//     for many request sessions under a deterministic scheduler, which checks
//     after each response that the request left no unauthorized task running.
//   * WorkerRuntime (worker_runtime.h): production, on the platform
//     dispatcher; each request gets its own ExecutionContext.
#ifndef CLOUD_INTEGRATION_EXECUTION_CONTEXT_H_
#define CLOUD_INTEGRATION_EXECUTION_CONTEXT_H_

#include <source_location>
#include <utility>

#include "absl/status/status.h"
#include "executor/executor.h"
#include "scheduler/duration.h"
#include "scheduler/future.h"

namespace cloud {

// The request-scoped half of the platform API. Use it from the worker's event
// loop thread only (the thread that runs the handler); implementations check
// this where they spawn and abort naming the call site otherwise.
class ExecutionContext {
 public:
  virtual ~ExecutionContext() = default;

  // Starts `work` now, concurrently with the handler, as part of the current
  // request: the request is finished only once `work` has completed too.
  //
  // Returns nothing on purpose: as with `ctx.waitUntil`, the worker hands the
  // work's outcome to the platform. A non-OK status (or an exception thrown
  // by `work`, turned into `absl::InternalError`) is reported by the runtime
  // with `location`; it is never silently dropped. Work registered while
  // other wait-until work is running (even by that work) is waited for too.
  //
  // Misuse: calling it outside of any request (no current session, or after
  // the request finished) is a fatal error naming `location`, because the
  // work would silently escape the request's lifetime.
  void WaitUntil(scheduler::Future<absl::Status> work,
                 std::source_location location = std::source_location::current()) {
    DoWaitUntil(std::move(work), location);
  }

  // Asks the runtime to serve the request from the origin server if the
  // handler ends with an exception (`ctx.passThroughOnException`). A flag
  // for the rest of the request: the runtime reads it only when the handler
  // throws; a handler that returns normally is answered by its response.
  // Misuse (outside of a request) is fatal, as for WaitUntil.
  //
  // Differs from the seeds on purpose: there `pass_through()` was an async
  // call that awaited a 10 ms timer and returned Ok, a stand-in for "forward
  // the request to the origin now". Cloudflare Workers have no such call;
  // `passThroughOnException()` is a synchronous flag the runtime consults
  // only if the handler throws, and that is what code moved from a real
  // worker expects. So this sets the flag and returns at once, costs no
  // time, and the origin answers only if the handler throws (see
  // SimulatedExecutionContext::Options::origin and WorkerRuntime). Code
  // ported from the seeds that awaited `pass_through()` for its delay should
  // `co_await runtime.Delay(10ms)` instead. docs/MIGRATION.md has the table.
  void PassThrough(std::source_location location = std::source_location::current()) {
    DoPassThrough(location);
  }

 protected:
  // The virtual halves of the methods above (which only add the call site).
  virtual void DoWaitUntil(scheduler::Future<absl::Status> work, std::source_location location) = 0;
  virtual void DoPassThrough(std::source_location location) = 0;
};

// The process-scoped half: time and the event loop.
class PlatformRuntime {
 public:
  virtual ~PlatformRuntime() = default;

  // Completes once `delay` has elapsed on the runtime's clock (the fake clock
  // under the TestScheduler, where it costs no real time). Stands in for I/O
  // latency. Lazy like every Future: the wait starts when awaited, and
  // cancelling the awaiting task cancels it. `location` names the wait's
  // timer task in diagnostics.
  scheduler::Future<void> Delay(scheduler::Duration delay,
                                std::source_location location = std::source_location::current()) {
    return DoDelay(delay, location);
  }

  // The single-threaded event loop the worker runs on. Work spawned here and
  // not registered with `ExecutionContext::WaitUntil` is not part of any
  // request's lifetime: the platform may drop it once the response is out
  // (the simulation reports it as unauthorized).
  virtual const scheduler::ForegroundExecutor& executor() const = 0;

 protected:
  virtual scheduler::Future<void> DoDelay(scheduler::Duration delay,
                                          std::source_location location) = 0;
};

}  // namespace cloud

#endif  // CLOUD_INTEGRATION_EXECUTION_CONTEXT_H_
