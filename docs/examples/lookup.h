// The README's timeout-and-race example, verbatim (see README.md "Races and
// timeouts"); docs/examples/lookup_test.cc runs it under the TestScheduler.
#ifndef DOCS_EXAMPLES_LOOKUP_H_
#define DOCS_EXAMPLES_LOOKUP_H_

#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include "executor/executor.h"
#include "scheduler/combinators.h"

namespace readme {

using namespace scheduler;

// A replica answers after a delay that depends on where it is.
inline Future<std::string> Ask(Executor ex, std::string region, std::string key) {
  co_await ex.Timer(std::chrono::milliseconds(region == "eu" ? 30 : 80));
  co_return region + ":" + key;
}

// Ask both replicas; the first answer wins, and the slower request is cancelled
// (its frame destroyed) before Race returns.
inline Future<std::string> FirstReply(Executor ex, std::string key) {
  std::variant<std::string, std::string> r = co_await Race(Ask(ex, "eu", key), Ask(ex, "us", key));
  co_return r.index() == 0 ? std::get<0>(r) : std::get<1>(r);
}

// Give up after `timeout` on the scheduler's clock: std::nullopt, nothing left running.
inline Future<std::optional<std::string>> Lookup(Executor ex, std::string key,
                                                 std::chrono::milliseconds timeout) {
  co_return co_await WithTimeout(FirstReply(ex, key), timeout);
}

}  // namespace readme

#endif  // DOCS_EXAMPLES_LOOKUP_H_
