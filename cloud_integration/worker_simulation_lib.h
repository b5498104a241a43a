// The worker simulation behind `bazel run //cloud_integration:worker_simulation`:
// the EdgeCacheWorker (example_worker.h) serving a seeded batch of requests,
// either under the deterministic TestScheduler with session validation
// (`SimulateSeed`) or on the production dispatcher (`RunOnDispatcher`).
//
// Per seed, the batch is: `requests_per_seed` requests, each a GET (60%) or a
// PUT (40%) of one of the keys a..d (the origin holds a, b and c), arriving at
// a random time in the first 40 ms. Service latencies (see kCacheLatency & co.
// in the .cc) have slow tails. Every random choice comes from the seed, so a
// seed replays exactly: same task ids, same messages, same trace.
//
// Test-only (depends on //testing:test_scheduler).
#ifndef CLOUD_INTEGRATION_WORKER_SIMULATION_LIB_H_
#define CLOUD_INTEGRATION_WORKER_SIMULATION_LIB_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cloud_integration/cloud_session_id.h"
#include "testing/schedule.h"
#include "testing/test_scheduler.h"

namespace cloud {

struct SimulationOptions {
  // Run the worker with its planted bug fixed.
  bool fix_bug = false;
  int requests_per_seed = 8;
  // If set and the seed fails, writes the TestScheduler's step trace to
  // `<trace_prefix>.trace.json|.svg|.html` and the session view to
  // `<trace_prefix>.sessions.json`.
  std::string trace_prefix;
  // The TestScheduler's config (strategy, chooser, record_schedule, ...);
  // SimulateSeed sets its seed and, with trace_prefix, record_trace.
  scheduler::TestSchedulerConfig scheduler;
};

// One request whose cleanup validation failed.
struct SessionFailure {
  CloudSessionId session;
  std::string request;  // "PUT /items/b"
  std::string message;  // ValidateSessionCleanup's message
};

struct SeedReport {
  uint64_t seed = 0;
  int sessions_validated = 0;
  std::vector<SessionFailure> failures;
  // Set if the simulation itself went wrong: the batch could not finish (with
  // the scheduler's state), or a client threw.
  std::string error;
  // Files written for this seed (empty unless it failed with a trace_prefix).
  std::vector<std::string> trace_files;
  uint64_t trace_hash = 0;
  // The run as a Schedule (steps recorded with scheduler.record_schedule).
  scheduler::Schedule schedule;
  std::optional<scheduler::ScheduleStats> schedule_stats;

  bool ok() const { return failures.empty() && error.empty(); }
};

// Runs one seed under the TestScheduler and validates every session.
// Call from the thread that owns nothing else of the simulation (it creates
// its own scheduler and context).
SeedReport SimulateSeed(uint64_t seed, const SimulationOptions& options);

// "bazel run //cloud_integration:worker_simulation -- --seed=N" (plus
// --fix_bug when set).
std::string ReplayCommand(uint64_t seed, const SimulationOptions& options);

struct DispatcherReport {
  uint64_t requests_finished = 0;
  uint64_t handler_errors = 0;
  uint64_t wait_until_registered = 0;
  uint64_t wait_until_failed = 0;
  // Cache writes still running after every request of their batch had
  // finished: detached work the runtime never waited for.
  uint64_t writes_outliving_requests = 0;
  int worker_threads = 0;
  double seconds = 0;
};

// Runs the same batches (seeds [first_seed, first_seed + seeds)) with the
// WorkerRuntime on the production dispatcher, latencies scaled to 100 us per
// simulated millisecond. Must be called on the thread that may run the
// dispatcher's main loop.
DispatcherReport RunOnDispatcher(uint64_t first_seed, int seeds, const SimulationOptions& options);

}  // namespace cloud

#endif  // CLOUD_INTEGRATION_WORKER_SIMULATION_LIB_H_
