// FakeStore: an in-memory key/value service with simulated network latency.
//
// Stands in for the remote services a worker talks to (a KV cache, the
// origin, an analytics sink) in the worker simulation and its tests. Every
// call waits `PlatformRuntime::Delay` for a latency drawn from `random`, so
// under the TestScheduler latencies come from the seed and cost no real time,
// and with a production runtime they are real (scaled by `Latency::unit`).
//
// Thread-safety: none; use it from the worker's event loop, like the worker.
// The store and `runtime` must outlive every call's future.
#ifndef CLOUD_INTEGRATION_FAKE_STORE_H_
#define CLOUD_INTEGRATION_FAKE_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "cloud_integration/execution_context.h"
#include "scheduler/duration.h"
#include "scheduler/future.h"

namespace cloud {

class FakeStore {
 public:
  // Latency of one call, in `unit`s: uniform in [min, max], except that
  // `tail_per_mille` calls in a thousand take [tail_min, tail_max] instead
  // (the slow requests every real service has).
  struct Latency {
    int64_t min = 1;
    int64_t max = 1;
    int tail_per_mille = 0;
    int64_t tail_min = 0;
    int64_t tail_max = 0;
    scheduler::Duration unit = std::chrono::milliseconds(1);
  };

  // `random` returns uniformly distributed 64-bit values.
  FakeStore(std::string name, PlatformRuntime& runtime, Latency latency,
            std::function<uint64_t()> random);

  // The value, or nullopt if absent.
  scheduler::Future<std::optional<std::string>> Get(std::string key);
  scheduler::Future<absl::Status> Put(std::string key, std::string value);

  // Puts started and not yet finished (a cancelled one counts as finished).
  int writes_in_flight() const { return writes_in_flight_; }
  uint64_t writes() const { return writes_; }
  const std::string& name() const { return name_; }
  // Direct access, for seeding data and for assertions.
  std::map<std::string, std::string>& data() { return data_; }

 private:
  scheduler::Duration NextLatency();

  const std::string name_;
  PlatformRuntime& runtime_;
  const Latency latency_;
  const std::function<uint64_t()> random_;
  std::map<std::string, std::string> data_;
  int writes_in_flight_ = 0;
  uint64_t writes_ = 0;
};

}  // namespace cloud

#endif  // CLOUD_INTEGRATION_FAKE_STORE_H_
