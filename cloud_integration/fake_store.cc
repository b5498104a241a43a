#include "cloud_integration/fake_store.h"

#include <utility>

namespace cloud {
namespace {

// Uniform in [lo, hi]. Plain modulo: the bias is irrelevant here, and it is
// the same on every platform, so a seed picks the same latencies everywhere.
int64_t Uniform(uint64_t random, int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  return lo + static_cast<int64_t>(random % static_cast<uint64_t>(hi - lo + 1));
}

// Counts a write as in flight until its frame ends, also when cancelled.
class InFlight {
 public:
  explicit InFlight(int& counter) : counter_(counter) { ++counter_; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  ~InFlight() { --counter_; }

 private:
  int& counter_;
};

}  // namespace

FakeStore::FakeStore(std::string name, PlatformRuntime& runtime, Latency latency,
                     std::function<uint64_t()> random)
    : name_(std::move(name)), runtime_(runtime), latency_(latency), random_(std::move(random)) {}

scheduler::Duration FakeStore::NextLatency() {
  const bool tail = static_cast<int>(random_() % 1000) < latency_.tail_per_mille;
  const int64_t units = tail ? Uniform(random_(), latency_.tail_min, latency_.tail_max)
                             : Uniform(random_(), latency_.min, latency_.max);
  return units * latency_.unit;
}

scheduler::Future<std::optional<std::string>> FakeStore::Get(std::string key) {
  co_await runtime_.Delay(NextLatency());
  auto it = data_.find(key);
  if (it == data_.end()) co_return std::nullopt;
  co_return it->second;
}

scheduler::Future<absl::Status> FakeStore::Put(std::string key, std::string value) {
  InFlight in_flight(writes_in_flight_);
  co_await runtime_.Delay(NextLatency());
  data_[std::move(key)] = std::move(value);
  ++writes_;
  co_return absl::OkStatus();
}

}  // namespace cloud
