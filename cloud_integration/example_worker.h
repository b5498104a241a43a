// EdgeCacheWorker: a small, realistic Cloud worker with one planted bug. The
// worker simulation (worker_simulation.cc) runs it under many seeds to show
// that SimulatedExecutionContext finds the bug, names the line, and replays it.
//
// It fronts an origin store with an edge cache:
//   GET /items/<key>  cache hit: 200 from the cache; miss: read the origin,
//                     answer, and fill the cache in the background (WaitUntil).
//   PUT /items/<key>  write the origin, answer 201; refresh the cache entry
//                     concurrently with the origin write (write-through).
//   anything else     404 / 405.
// After routing, every request records an analytics event (WaitUntil).
//
// THE PLANTED BUG (`Options::fix_bug == false`): PUT spawns its cache write
// on the event loop and detaches it instead of registering it with
// `ExecutionContext::WaitUntil`. The request's lifetime then does not cover
// the write. Usually the cache is faster than the origin and the write is
// done before the response, so nothing shows; but when the cache write is a
// slow one (its latency tail) it is still running after the response, where
// a real platform may drop it and leave a stale cache entry. Whether that
// happens depends on the order in which two random delays end, so only some
// seeds expose it. With `fix_bug`, the write goes through WaitUntil.
//
// Thread-safety: none; it runs on the worker's event loop. The stores must
// outlive every request.
#ifndef CLOUD_INTEGRATION_EXAMPLE_WORKER_H_
#define CLOUD_INTEGRATION_EXAMPLE_WORKER_H_

#include <cstdint>
#include <string>

#include "cloud_integration/execution_context.h"
#include "cloud_integration/fake_store.h"
#include "cloud_integration/request.h"
#include "scheduler/future.h"

namespace cloud {

class EdgeCacheWorker {
 public:
  struct Options {
    bool fix_bug = false;
  };

  EdgeCacheWorker(FakeStore& cache, FakeStore& origin, FakeStore& analytics, Options options);

  scheduler::Future<Response> Handle(Request request, ExecutionContext& ctx,
                                     PlatformRuntime& runtime);

  // `Handle` as a RequestHandler; the worker must outlive its uses.
  RequestHandler AsHandler();

 private:
  scheduler::Future<Response> Route(Request request, ExecutionContext& ctx,
                                    PlatformRuntime& runtime);
  scheduler::Future<Response> Get(std::string key, ExecutionContext& ctx);
  scheduler::Future<Response> Put(std::string key, std::string body, ExecutionContext& ctx,
                                  PlatformRuntime& runtime);

  FakeStore& cache_;
  FakeStore& origin_;
  FakeStore& analytics_;
  const Options options_;
  uint64_t events_ = 0;
};

}  // namespace cloud

#endif  // CLOUD_INTEGRATION_EXAMPLE_WORKER_H_
