// Strategy: how the TestScheduler picks the next runnable task.
//
//   kRandom  uniformly among the candidates at every step (the default).
//   kPct     Probabilistic Concurrency Testing (Burckhardt, Kothari,
//            Musuvathi, Nagarakatte, ASPLOS 2010): every task gets a random
//            priority when first seen, the highest-priority candidate always
//            runs, and at d-1 random steps in [1, k] the running task drops to
//            a priority below all others. A bug that needs d ordering
//            constraints among n tasks within k steps is hit by one run with
//            probability >= 1 / (n * k^(d-1)), far better than uniform random
//            for bugs that need a task to be starved for a long stretch.
//
// Under both, foreground tasks of one session stay FIFO and deprioritized
// labels run only when nothing else can.
#ifndef TESTING_STRATEGY_H_
#define TESTING_STRATEGY_H_

#include <optional>
#include <string_view>

namespace scheduler {

enum class Strategy { kRandom, kPct };

// "random" / "pct".
const char* StrategyName(Strategy strategy);
// Inverse of StrategyName; nullopt for anything else.
std::optional<Strategy> ParseStrategy(std::string_view name);

}  // namespace scheduler

#endif  // TESTING_STRATEGY_H_
