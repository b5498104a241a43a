#include "testing/strategy.h"

namespace scheduler {
namespace {

constexpr Strategy kAll[] = {Strategy::kRandom,     Strategy::kPct,    Strategy::kFairRandom,
                             Strategy::kExhaustive, Strategy::kReplay, Strategy::kFuzz};

}  // namespace

const char* StrategyName(Strategy strategy) {
  switch (strategy) {
    case Strategy::kRandom:
      return "random";
    case Strategy::kPct:
      return "pct";
    case Strategy::kFairRandom:
      return "fair_random";
    case Strategy::kExhaustive:
      return "exhaustive";
    case Strategy::kReplay:
      return "replay";
    case Strategy::kFuzz:
      return "fuzz";
  }
  return "unknown";
}

std::optional<Strategy> ParseStrategy(std::string_view name) {
  for (Strategy strategy : kAll) {
    if (name == StrategyName(strategy)) return strategy;
  }
  return std::nullopt;
}

bool NeedsChooser(Strategy strategy) {
  return strategy == Strategy::kExhaustive || strategy == Strategy::kReplay ||
         strategy == Strategy::kFuzz;
}

}  // namespace scheduler
