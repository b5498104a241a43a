#include "cloud_integration/worker_simulation_lib.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <fstream>
#include <functional>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cloud_integration/example_worker.h"
#include "cloud_integration/fake_store.h"
#include "cloud_integration/session_trace.h"
#include "cloud_integration/simulated_execution_context.h"
#include "cloud_integration/worker_runtime.h"
#include "platforms/platform_dispatcher.h"
#include "scheduler/future.h"
#include "scheduler/task.h"
#include "testing/test_scheduler.h"

namespace cloud {
namespace {

using scheduler::Duration;
using scheduler::Future;
using scheduler::Instant;
using scheduler::Task;
using Random = std::function<uint64_t()>;

// Latencies in simulated milliseconds. The cache is usually much faster than
// the origin, but 2% of its calls are slower than any origin write: those are
// the interleavings where the planted bug shows.
constexpr FakeStore::Latency kCacheLatency{
    .min = 1, .max = 4, .tail_per_mille = 20, .tail_min = 30, .tail_max = 60};
constexpr FakeStore::Latency kOriginLatency{
    .min = 8, .max = 25, .tail_per_mille = 20, .tail_min = 40, .tail_max = 80};
constexpr FakeStore::Latency kAnalyticsLatency{
    .min = 2, .max = 10, .tail_per_mille = 50, .tail_min = 100, .tail_max = 200};
constexpr int64_t kArrivalWindow = 40;  // requests arrive in [0, 40] ms
constexpr Duration kRealUnit = std::chrono::microseconds(100);

FakeStore::Latency Scaled(FakeStore::Latency latency, Duration unit) {
  latency.unit = unit;
  return latency;
}

// The services one batch talks to. The origin starts with items a, b, c.
struct Services {
  Services(PlatformRuntime& runtime, const Random& random, Duration unit)
      : cache("cache", runtime, Scaled(kCacheLatency, unit), random),
        origin("origin", runtime, Scaled(kOriginLatency, unit), random),
        analytics("analytics", runtime, Scaled(kAnalyticsLatency, unit), random) {
    for (const char* key : {"a", "b", "c"}) origin.data()[key] = absl::StrCat("origin-", key);
  }
  FakeStore cache;
  FakeStore origin;
  FakeStore analytics;
};

struct PlannedRequest {
  Request request;
  Duration arrival;
  std::string line;  // "PUT /items/b"
};

std::vector<PlannedRequest> PlanBatch(uint64_t seed, int count, const Random& random,
                                      Duration unit) {
  std::vector<PlannedRequest> plan;
  for (int i = 0; i < count; ++i) {
    const bool put = random() % 100 < 40;
    const std::string key(1, static_cast<char>('a' + random() % 4));
    PlannedRequest planned;
    planned.request = Request{.method = put ? "PUT" : "GET",
                              .path = "/items/" + key,
                              .body = put ? absl::StrCat("v", seed, ".", i) : ""};
    planned.arrival = static_cast<int64_t>(random() % (kArrivalWindow + 1)) * unit;
    planned.line = absl::StrCat(planned.request.method, " ", planned.request.path);
    plan.push_back(std::move(planned));
  }
  return plan;
}

bool AllFinished(const std::vector<Task<void>>& tasks) {
  return std::all_of(tasks.begin(), tasks.end(),
                     [](const Task<void>& t) { return (t.IsReady() || t.IsCancelled()); });
}

absl::Status WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

// SplitMix64: a tiny seeded generator for the real-dispatcher run.
class SplitMix {
 public:
  explicit SplitMix(uint64_t seed) : state_(seed) {}
  uint64_t operator()() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

}  // namespace

std::string ReplayCommand(uint64_t seed, const SimulationOptions& options) {
  return absl::StrCat("bazel run //cloud_integration:worker_simulation -- --seed=", seed,
                      options.fix_bug ? " --fix_bug" : "");
}

SeedReport SimulateSeed(uint64_t seed, const SimulationOptions& options) {
  SeedReport report;
  report.seed = seed;
  scheduler::TestSchedulerConfig config = options.scheduler;
  config.seed = seed;
  config.record_trace = config.record_trace || !options.trace_prefix.empty();
  auto test_scheduler = scheduler::TestScheduler::Create(std::move(config));
  std::weak_ptr<scheduler::TestScheduler> weak_scheduler = test_scheduler;
  auto session_trace = std::make_shared<SessionTrace>([weak_scheduler] {
    std::shared_ptr<scheduler::TestScheduler> s = weak_scheduler.lock();
    return s != nullptr ? s->Now() : Instant();
  });
  // The trace is added after the context's tracker, so observers being told in
  // the order they were added, the tracker has placed each task in its
  // session before the trace asks.
  SimulatedExecutionContext ctx(test_scheduler);
  test_scheduler->AddTaskObserver(session_trace);
  session_trace->SetSessionLookup([&ctx](scheduler::TaskId id) { return ctx.SessionOf(id); });

  const Random random = [raw = test_scheduler.get()] { return raw->NextRandom(); };
  Services services(ctx, random, std::chrono::milliseconds(1));
  EdgeCacheWorker worker(services.cache, services.origin, services.analytics,
                         {.fix_bug = options.fix_bug});
  const RequestHandler handler = worker.AsHandler();

  std::vector<Task<void>> clients;
  for (PlannedRequest& planned :
       PlanBatch(seed, options.requests_per_seed, random, std::chrono::milliseconds(1))) {
    clients.push_back(ctx.executor().Spawn([&, planned = std::move(planned)]() -> Future<void> {
      co_await ctx.Delay(planned.arrival);
      const Instant arrived = ctx.executor().Now();
      SimulatedRequestResult result = co_await ctx.ServeRequest(planned.request, handler);
      ++report.sessions_validated;
      std::map<std::string, std::string> args{{"cleanup", result.cleanup.ToString()}};
      if (!result.cleanup.ok()) {
        report.failures.push_back(SessionFailure{.session = result.session,
                                                 .request = planned.line,
                                                 .message = std::string(result.cleanup.message())});
      }
      session_trace->AddRequest(result.session,
                                absl::StrCat(planned.line, " -> ", result.response.status), arrived,
                                ctx.executor().Now(), std::move(args));
    }));
  }

  test_scheduler->RunUntilParked();
  while (!AllFinished(clients)) {
    if (!test_scheduler->AdvanceClockToNextTimer()) {
      report.error = "stuck: " + test_scheduler->DescribeState();
      break;
    }
  }
  for (Task<void>& client : clients) {
    if (!report.error.empty() || !(client.IsReady() || client.IsCancelled())) break;
    try {
      client.TakeResult("worker_simulation client");
    } catch (const std::exception& e) {
      report.error = absl::StrCat("a client threw: ", e.what());
    }
  }
  // Let stragglers (leaked writes) finish, so the trace shows how long they ran.
  while (test_scheduler->AdvanceClockToNextTimer()) {
  }
  report.trace_hash = test_scheduler->trace_hash();
  report.schedule = test_scheduler->schedule();
  report.schedule_stats = test_scheduler->schedule_stats();

  if (!report.ok() && !options.trace_prefix.empty()) {
    if (test_scheduler->WriteTrace(options.trace_prefix).ok()) {
      for (const char* suffix : {".trace.json", ".svg", ".html"}) {
        report.trace_files.push_back(options.trace_prefix + suffix);
      }
    }
    const std::string sessions = options.trace_prefix + ".sessions.json";
    if (WriteFile(sessions, session_trace->ToChromeJson(
                                absl::StrCat("worker_simulation seed ", seed, " (sessions)")))
            .ok()) {
      report.trace_files.push_back(sessions);
    }
  }

  // Tasks refer to the context and the services: stop them before those go.
  test_scheduler->Shutdown();
  session_trace->SetSessionLookup(nullptr);
  return report;
}

DispatcherReport RunOnDispatcher(uint64_t first_seed, int seeds, const SimulationOptions& options) {
  DispatcherReport report;
  std::shared_ptr<scheduler::PlatformDispatcher> dispatcher = scheduler::CreatePlatformDispatcher();
  report.worker_threads = scheduler::NumCpus();
  const auto start = std::chrono::steady_clock::now();
  {
    WorkerRuntime runtime(dispatcher);
    Task<void> driver = runtime.executor().Spawn([&]() -> Future<void> {
      for (int s = 0; s < seeds; ++s) {
        const uint64_t seed = first_seed + static_cast<uint64_t>(s);
        auto generator = std::make_shared<SplitMix>(seed);
        const Random random = [generator] { return (*generator)(); };
        Services services(runtime, random, kRealUnit);
        EdgeCacheWorker worker(services.cache, services.origin, services.analytics,
                               {.fix_bug = options.fix_bug});
        const RequestHandler handler = worker.AsHandler();
        std::vector<Task<Response>> clients;
        for (PlannedRequest& planned :
             PlanBatch(seed, options.requests_per_seed, random, kRealUnit)) {
          clients.push_back(runtime.executor().Spawn(
              [&runtime, &handler, planned = std::move(planned)]() -> Future<Response> {
                co_await runtime.Delay(planned.arrival);
                co_return co_await runtime.ServeRequest(planned.request, handler);
              }));
        }
        for (Task<Response>& client : clients) co_await std::move(client);
        // Every request of the batch is finished, wait-until work included.
        // Cache writes still running now were never part of any request.
        report.writes_outliving_requests += services.cache.writes_in_flight();
        // They refer to `services`: let them land before it goes.
        while (services.cache.writes_in_flight() > 0) co_await runtime.Delay(kRealUnit);
      }
      dispatcher->QuitMainLoop();
    });
    dispatcher->RunMainLoop();
    const WorkerRuntime::Stats& stats = runtime.stats();
    report.requests_finished = stats.requests_finished;
    report.handler_errors = stats.handler_errors;
    report.wait_until_registered = stats.wait_until_registered;
    report.wait_until_failed = stats.wait_until_failed;
    dispatcher->Shutdown();
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace cloud
