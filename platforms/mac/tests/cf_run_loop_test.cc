// The test-only CFRunLoop over libdispatch's main queue (//platforms/mac:cf_run_loop): the
// CoreFoundation behaviour MacDispatcher's RunMainLoop relies on, on the real libdispatch.
#include <CoreFoundation/CoreFoundation.h>
#include <dispatch/dispatch.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "gtest/gtest.h"

namespace {

using Clock = std::chrono::steady_clock;

void SetFlag(void* flag) { static_cast<std::atomic<bool>*>(flag)->store(true); }

// Drains what libdispatch has signalled already: it may signal the main queue's handle once
// more after a timer fired, which a run reports as a handled source.
void DrainSignalled() {
  while (CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0, true) == kCFRunLoopRunHandledSource) {
  }
}

// Runs the loop (returning after each drain) until `flag` is set; fails after 10 s.
void RunUntil(const std::atomic<bool>& flag) {
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(10);
  while (!flag.load() && Clock::now() < give_up) {
    CFRunLoopRunInMode(kCFRunLoopDefaultMode, 10.0, /*returnAfterSourceHandled=*/true);
  }
  ASSERT_TRUE(flag.load());
}

TEST(CfRunLoopTest, DrainsTheMainQueueOnTheMainThread) {
  std::atomic<bool> ran{false};
  std::atomic<bool> on_main{false};
  struct Context {
    std::atomic<bool>* ran;
    std::atomic<bool>* on_main;
  } context{&ran, &on_main};
  dispatch_async_f(dispatch_get_main_queue(), &context, [](void* c) {
    auto* ctx = static_cast<Context*>(c);
    ctx->on_main->store(pthread_main_np() != 0);
    ctx->ran->store(true);
  });
  EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 10.0, true), kCFRunLoopRunHandledSource);
  EXPECT_TRUE(ran.load());
  EXPECT_TRUE(on_main.load());
}

TEST(CfRunLoopTest, WorkSubmittedFromAGcdThreadWakesTheLoop) {
  std::atomic<bool> ran{false};
  // A global-queue callback (on one of libdispatch's threads) submits to the main queue while
  // the main thread waits.
  dispatch_async_f(dispatch_get_global_queue(DISPATCH_QUEUE_PRIORITY_DEFAULT, 0), &ran,
                   [](void* flag) { dispatch_async_f(dispatch_get_main_queue(), flag, &SetFlag); });
  RunUntil(ran);
}

TEST(CfRunLoopTest, DispatchAfterOnTheMainQueueRunsNoEarlierThanAsked) {
  std::atomic<bool> ran{false};
  const Clock::time_point start = Clock::now();
  dispatch_after_f(dispatch_time(DISPATCH_TIME_NOW, 30'000'000), dispatch_get_main_queue(), &ran,
                   &SetFlag);
  RunUntil(ran);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(30));
}

TEST(CfRunLoopTest, TimesOutWhenNothingHappens) {
  DrainSignalled();
  const Clock::time_point start = Clock::now();
  EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.05, true), kCFRunLoopRunTimedOut);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(50));
}

// As in CoreFoundation: a stop made while the loop is not running ends the next run.
TEST(CfRunLoopTest, StopBeforeARunEndsThatRun) {
  DrainSignalled();
  CFRunLoopStop(CFRunLoopGetMain());
  EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 10.0, true), kCFRunLoopRunStopped);
  // Consumed: the run after it waits again.
  DrainSignalled();
  EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.01, true), kCFRunLoopRunTimedOut);
}

// Whether the stop lands before or during the run, the run returns kCFRunLoopRunStopped.
TEST(CfRunLoopTest, StopFromAnotherThreadEndsTheRun) {
  DrainSignalled();
  std::thread stopper([] { CFRunLoopStop(CFRunLoopGetMain()); });
  EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 10.0, true), kCFRunLoopRunStopped);
  stopper.join();
}

TEST(CfRunLoopTest, WakeUpAloneDoesNotEndTheRun) {
  DrainSignalled();
  CFRunLoopWakeUp(CFRunLoopGetMain());
  EXPECT_EQ(CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.05, true), kCFRunLoopRunTimedOut);
}

TEST(CfRunLoopDeathTest, RunningOffTheMainThreadIsFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(std::thread([] { CFRunLoopRunInMode(kCFRunLoopDefaultMode, 0.01, true); }).join(),
               "CFRunLoopRunInMode off the main thread");
}

}  // namespace
