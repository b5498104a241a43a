// Proves that //third_party:benchmark_main links and runs; not a performance reference.

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "benchmark/benchmark.h"

namespace {

void BM_StrCat(benchmark::State& state) {
  for (auto _ : state) {
    std::string s = absl::StrCat("task-", state.iterations(), "-", 3.5);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_StrCat);

void BM_UncontendedMutex(benchmark::State& state) {
  absl::Mutex mu;
  int value = 0;
  for (auto _ : state) {
    absl::MutexLock lock(&mu);
    benchmark::DoNotOptimize(++value);
  }
}
BENCHMARK(BM_UncontendedMutex);

void BM_FlatHashMapInsert(benchmark::State& state) {
  for (auto _ : state) {
    absl::flat_hash_map<int, int> map;
    for (int i = 0; i < state.range(0); ++i) map[i] = i;
    benchmark::DoNotOptimize(map);
  }
}
BENCHMARK(BM_FlatHashMapInsert)->Arg(64)->Arg(1024);

}  // namespace
