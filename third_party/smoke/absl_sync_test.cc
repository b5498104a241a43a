// Every Abseil synchronization primitive that //third_party:absl annotates for ThreadSanitizer
// (third_party/tsan/absl_tsan_annotations.cc), used across threads to order plain, non-atomic
// data. Under --config=tsan a missing or wrong annotation shows up as a reported race; in other
// configs these are ordinary correctness tests.

#include <thread>
#include <vector>

#include "absl/synchronization/barrier.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace {

constexpr int kThreads = 3;

TEST(AbslSyncTest, ReaderAndWriterLocks) {
  absl::Mutex mu;
  int value = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        {
          absl::WriterMutexLock lock(&mu);
          ++value;
        }
        absl::ReaderMutexLock lock(&mu);
        EXPECT_GT(value, 0);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(value, kThreads * 100);
}

TEST(AbslSyncTest, TryLockAndReaderTryLock) {
  absl::Mutex mu;
  int value = 0;
  std::thread writer([&] {
    for (int i = 0; i < 100; ++i) {
      while (!mu.TryLock()) std::this_thread::yield();
      ++value;
      mu.Unlock();
    }
  });
  int seen = 0;
  while (seen < 100) {
    if (mu.ReaderTryLock()) {
      seen = value;
      mu.ReaderUnlock();
    }
    std::this_thread::yield();
  }
  writer.join();
  EXPECT_EQ(value, 100);
}

TEST(AbslSyncTest, ConditionsAwaitAndReleasableLock) {
  absl::Mutex mu;
  int stage = 0;
  int payload = 0;
  std::thread worker([&] {
    absl::ReleasableMutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int* s) { return *s == 1; }, &stage));
    payload = 10;
    stage = 2;
    lock.Release();
  });
  {
    absl::MutexLock lock(&mu);
    stage = 1;
  }
  mu.LockWhen(absl::Condition(
      +[](int* s) { return *s == 2; }, &stage));
  EXPECT_EQ(payload, 10);
  payload = 11;
  stage = 3;
  mu.Unlock();
  worker.join();

  std::thread waiter([&] {
    absl::MutexLock lock(&mu);
    EXPECT_TRUE(mu.AwaitWithTimeout(absl::Condition(
                                        +[](int* s) { return *s == 4; }, &stage),
                                    absl::Seconds(30)));
    EXPECT_EQ(payload, 12);
  });
  {
    absl::MutexLock lock(&mu);
    payload = 12;
    stage = 4;
  }
  waiter.join();
  EXPECT_TRUE(mu.ReaderLockWhenWithTimeout(absl::Condition(
                                               +[](int* s) { return *s == 4; }, &stage),
                                           absl::Seconds(1)));
  mu.ReaderUnlock();
}

TEST(AbslSyncTest, CondVar) {
  absl::Mutex mu;
  absl::CondVar cv;
  bool ready = false;
  int payload = 0;
  std::thread producer([&] {
    absl::MutexLock lock(&mu);
    payload = 5;
    ready = true;
    cv.Signal();
  });
  {
    absl::MutexLock lock(&mu);
    while (!ready) cv.WaitWithTimeout(&mu, absl::Seconds(30));
    EXPECT_EQ(payload, 5);
  }
  producer.join();
}

TEST(AbslSyncTest, NotificationPolledAndWaited) {
  for (int round = 0; round < 20; ++round) {
    absl::Notification done;
    int payload = 0;
    std::thread producer([&] {
      payload = round;
      done.Notify();
    });
    if (round % 2 == 0) {
      while (!done.HasBeenNotified()) std::this_thread::yield();
    } else {
      EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
    }
    EXPECT_EQ(payload, round);
    producer.join();
  }
}

TEST(AbslSyncTest, BlockingCounterAndBarrier) {
  int slots[kThreads] = {};
  absl::BlockingCounter counter(kThreads);
  auto* barrier = new absl::Barrier(kThreads);
  int sums[kThreads] = {};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      slots[t] = t + 1;
      if (barrier->Block()) delete barrier;  // The Barrier contract: the last one out deletes.
      for (int other : slots) sums[t] += other;
      counter.DecrementCount();
    });
  }
  counter.Wait();
  for (int sum : sums) EXPECT_EQ(sum, 6);
  for (std::thread& thread : threads) thread.join();
}

TEST(AbslSyncTest, MutexesReusingTheSameStorage) {
  // Stack mutexes die without free(); the destructor annotation must reset TSan's state so the
  // next mutex at the same address starts unlocked.
  for (int i = 0; i < 50; ++i) {
    absl::Mutex mu;
    int value = 0;
    std::thread other([&] {
      absl::MutexLock lock(&mu);
      ++value;
    });
    {
      absl::MutexLock lock(&mu);
      ++value;
    }
    other.join();
    EXPECT_EQ(value, 2);
  }
}

}  // namespace
