// gpui::App: GPUI's executors on the real platform dispatcher (real threads,
// real clock); the test controls are no-ops there.
#include "gpui_integration/app.h"

#include <atomic>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "scheduler/yield.h"

namespace gpui {
namespace {

using ::scheduler::Future;
using ::scheduler::Task;

TEST(AppTest, ForegroundAwaitsBackgroundWorkAndATimerThenQuits) {
  App app;
  const BackgroundExecutor& background = app.background();
  const ForegroundExecutor& foreground = app.foreground();
  int shown = 0;
  bool foreground_on_main = false;
  std::atomic<bool> background_on_main{true};
  foreground
      .Spawn([&]() -> Future<void> {
        foreground_on_main = foreground.IsMainThread();
        Task<int> work = background.Spawn([&]() -> Future<int> {
          background_on_main = background.IsMainThread();
          co_return 42;
        });
        const int value = co_await std::move(work);
        const scheduler::Instant before = foreground.Now();
        co_await foreground.Timer(std::chrono::milliseconds(2));
        EXPECT_GE(foreground.Now() - before, std::chrono::milliseconds(2));
        shown = value;
        app.Quit();
      })
      .Detach();
  app.Run();
  EXPECT_EQ(shown, 42);
  EXPECT_TRUE(foreground_on_main);
  EXPECT_FALSE(background_on_main.load());
}

TEST(AppTest, TestControlsAreNoOps) {
  App app;
  EXPECT_FALSE(app.background().IsTest());
  EXPECT_EQ(app.background().Tick(), std::nullopt);
  EXPECT_EQ(app.foreground().Tick(), std::nullopt);
  EXPECT_EQ(app.background().Rng(), std::nullopt);
  app.foreground().RunUntilParked();
  app.foreground().AdvanceClock(std::chrono::hours(1));
  app.foreground().SetBlockOnTicks(0, 1);
  // Block from the main thread works without running the main loop.
  EXPECT_EQ(app.foreground().Block(app.background().Spawn([]() -> Future<int> { co_return 5; })),
            5);
}

TEST(AppTest, ScopedFansOutOverTheWorkers) {
  App app({.worker_threads = 2});
  const BackgroundExecutor& background = app.background();
  const int n = 4 * background.NumCpus();
  std::vector<int> squares(n, 0);
  app.foreground()
      .Spawn([&]() -> Future<void> {
        co_await background.Scoped([&](Scope& scope) {
          for (int i = 0; i < n; ++i) {
            scope.Spawn([&, i]() -> Future<void> {
              co_await ::scheduler::Yield();
              squares[i] = i * i;
            });
          }
        });
        app.Quit();
      })
      .Detach();
  app.Run();
  for (int i = 0; i < n; ++i) EXPECT_EQ(squares[i], i * i);
}

TEST(AppTest, DetachAndLogErrReportsFromAWorker) {
  App app;
  absl::Mutex mu;
  std::vector<absl::Status> logged;
  absl::Notification done;
  ScopedTaskErrorLogger logger([&](const TaskError& error) {
    absl::MutexLock lock(&mu);
    logged.push_back(error.status);
    done.Notify();
  });
  app.background().DetachAndLogErr(app.background().Spawn(
      []() -> Future<absl::Status> { co_return absl::UnavailableError("offline"); }));
  done.WaitForNotification();
  absl::MutexLock lock(&mu);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0], absl::UnavailableError("offline"));
}

}  // namespace
}  // namespace gpui
