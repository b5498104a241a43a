// WorkerRuntime: the production Cloud runtime, on a real dispatcher.
//
// Serves requests with Cloudflare's `waitUntil` semantics: each request gets
// its own ExecutionContext; the handler and all wait-until work run on the
// worker's event loop (a ForegroundExecutor, i.e. the dispatcher's main
// thread, inside `RunMainLoop`); and `ServeRequest`'s future completes only
// once the handler *and* every wait-until work of the request have finished.
// Failures of wait-until work go to `Options::on_wait_until_error` with their
// call site (default: stderr) and are counted; nothing is dropped silently.
//
//   auto dispatcher = CreatePlatformDispatcher();
//   WorkerRuntime runtime(dispatcher);
//   runtime.executor().Spawn([&]() -> Future<void> {
//     Response r = co_await runtime.ServeRequest({"GET", "/items/a"}, worker);
//     dispatcher->QuitMainLoop();
//   }).Detach();
//   dispatcher->RunMainLoop();
//   dispatcher->Shutdown();
//
// Unlike SimulatedExecutionContext it tracks no sessions (production pays for
// nothing it does not need): work a handler detaches without WaitUntil is
// invisible here. Find such bugs with the simulation.
//
// Works on any Scheduler with a main thread; tests also run it on the
// TestScheduler.
//
// Thread-safety: event-loop thread only (the thread that created it), checked
// by the ForegroundExecutor. Lifetime: stop the dispatcher (`Shutdown`) or
// let every request finish before destroying the runtime.
#ifndef CLOUD_INTEGRATION_WORKER_RUNTIME_H_
#define CLOUD_INTEGRATION_WORKER_RUNTIME_H_

#include <cstdint>
#include <memory>
#include <source_location>

#include "cloud_integration/execution_context.h"
#include "cloud_integration/request.h"
#include "executor/executor.h"
#include "scheduler/future.h"
#include "scheduler/scheduler.h"

namespace cloud {

class WorkerRuntime final : public PlatformRuntime {
 public:
  struct Options {
    // Serves requests whose handler threw after PassThrough(). Default: 502.
    OriginHandler origin;
    // Told about each failed wait-until work. Default: print to stderr.
    WaitUntilErrorReporter on_wait_until_error;
  };

  struct Stats {
    uint64_t requests_started = 0;
    uint64_t requests_finished = 0;  // handler and all wait-until work done
    uint64_t handler_errors = 0;     // handler threw (served by origin or a 500)
    uint64_t passed_through = 0;
    uint64_t wait_until_registered = 0;
    uint64_t wait_until_failed = 0;
  };

  // `dispatcher` must not be null. Call on its main thread.
  explicit WorkerRuntime(std::shared_ptr<scheduler::Scheduler> dispatcher, Options options = {},
                         std::source_location location = std::source_location::current());

  WorkerRuntime(const WorkerRuntime&) = delete;
  WorkerRuntime& operator=(const WorkerRuntime&) = delete;

  // Serves `request` with `handler`. The returned future completes after the
  // handler's response and all the request's wait-until work; its value is
  // the handler's response, the origin's if the handler threw after
  // PassThrough(), or a 500 naming the exception otherwise. Await or spawn
  // it on the event loop.
  scheduler::Future<Response> ServeRequest(Request request, RequestHandler handler);

  const Stats& stats() const { return stats_; }

  const scheduler::ForegroundExecutor& executor() const override { return executor_; }

 protected:
  scheduler::Future<void> DoDelay(scheduler::Duration delay,
                                  std::source_location location) override;

 private:
  const OriginHandler origin_;
  const WaitUntilErrorReporter report_;
  const scheduler::ForegroundExecutor executor_;
  Stats stats_;
};

}  // namespace cloud

#endif  // CLOUD_INTEGRATION_WORKER_RUNTIME_H_
