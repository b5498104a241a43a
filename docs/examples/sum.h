// The README's first example, kept compiling and tested (readme_test.cc).
#ifndef DOCS_EXAMPLES_SUM_H_
#define DOCS_EXAMPLES_SUM_H_

#include <chrono>
#include <utility>

#include "executor/executor.h"

namespace readme {

using scheduler::Executor;
using scheduler::Future;
using scheduler::Task;

// A coroutine is lazy: calling it runs nothing until it is spawned or awaited.
inline Future<int> SlowAdd(Executor ex, int a, int b) {
  co_await ex.Timer(std::chrono::milliseconds(10));  // a timer is a Task<void>
  co_return a + b;
}

inline Future<int> Sum(Executor ex) {
  Task<int> x = ex.Spawn(SlowAdd(ex, 1, 2));  // both run concurrently
  Task<int> y = ex.Spawn(SlowAdd(ex, 3, 4));
  co_return co_await std::move(x) + co_await std::move(y);  // exceptions propagate here
}

}  // namespace readme

#endif  // DOCS_EXAMPLES_SUM_H_
