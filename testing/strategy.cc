#include "testing/strategy.h"

namespace scheduler {

const char* StrategyName(Strategy strategy) {
  switch (strategy) {
    case Strategy::kRandom:
      return "random";
    case Strategy::kPct:
      return "pct";
  }
  return "unknown";
}

std::optional<Strategy> ParseStrategy(std::string_view name) {
  if (name == "random") return Strategy::kRandom;
  if (name == "pct") return Strategy::kPct;
  return std::nullopt;
}

}  // namespace scheduler
