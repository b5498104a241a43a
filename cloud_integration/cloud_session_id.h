// CloudSessionId: names one request session of a SimulatedExecutionContext.
//
// Deliberately not `scheduler::SessionId`. That one names a ForegroundExecutor's
// FIFO queue (it is what `TaskMetadata::session` holds), and every request a
// simulated worker serves shares the context's single foreground queue, just as
// the requests of one isolate share one event loop. Reusing it would make one
// id mean two different things in the same diagnostics.
//
// Ids are numbered per context from 1, so a seed replays with the same ids
// (and the same messages) however many contexts the process made before.
#ifndef CLOUD_INTEGRATION_CLOUD_SESSION_ID_H_
#define CLOUD_INTEGRATION_CLOUD_SESSION_ID_H_

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>
#include <utility>

namespace cloud {

// A cheap, hashable, totally ordered value. Zero means "no session".
class CloudSessionId {
 public:
  constexpr CloudSessionId() = default;
  constexpr explicit CloudSessionId(uint64_t value) : value_(value) {}

  constexpr uint64_t value() const { return value_; }

  friend constexpr auto operator<=>(const CloudSessionId&, const CloudSessionId&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const CloudSessionId& id) {
    return H::combine(std::move(h), id.value_);
  }

 private:
  uint64_t value_ = 0;
};

// Prints "session#3".
inline std::ostream& operator<<(std::ostream& os, CloudSessionId id) {
  return os << "session#" << id.value();
}

}  // namespace cloud

template <>
struct std::hash<cloud::CloudSessionId> {
  size_t operator()(cloud::CloudSessionId id) const { return std::hash<uint64_t>()(id.value()); }
};

#endif  // CLOUD_INTEGRATION_CLOUD_SESSION_ID_H_
