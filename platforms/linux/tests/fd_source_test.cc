// The Linux main loop's file-descriptor sources (platforms/linux/fd_source.h):
// FdWatch callbacks and co_await Readable/Writable on pipes, eventfds and
// loopback sockets; cancellation; many sources; no busy waiting; the edge
// cases the header documents; misuse.
#include "platforms/linux/fd_source.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "executor/executor.h"
#include "gtest/gtest.h"
#include "platforms/internal/dispatcher_backend.h"
#include "platforms/internal/os_dispatchers.h"
#include "platforms/linux/internal/epoll_waiter.h"
#include "scheduler/oneshot.h"
#include "scheduler/spawn.h"
#include "scheduler/task.h"
#include "scheduler/yield.h"

namespace scheduler {
namespace {

// A non-blocking pipe, closed on destruction.
struct Pipe {
  Pipe() {
    int fds[2];
    EXPECT_EQ(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
    read_fd = fds[0];
    write_fd = fds[1];
  }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  void CloseRead() {
    if (read_fd >= 0) close(std::exchange(read_fd, -1));
  }
  void CloseWrite() {
    if (write_fd >= 0) close(std::exchange(write_fd, -1));
  }
  void Write(char c) const { EXPECT_EQ(write(write_fd, &c, 1), 1); }
  // The bytes available now, read until EAGAIN.
  std::string ReadAll() const {
    std::string out;
    char buffer[256];
    ssize_t n;
    while ((n = read(read_fd, buffer, sizeof buffer)) > 0) out.append(buffer, n);
    return out;
  }
  int read_fd = -1;
  int write_fd = -1;
};

linux_internal::EpollWaiter& WaiterOf(PlatformDispatcher& dispatcher) {
  auto waiter = std::dynamic_pointer_cast<linux_internal::EpollWaiter>(
      platform_internal::BackendAccess::Of(dispatcher).main_loop_waiter());
  EXPECT_NE(waiter, nullptr);
  return *waiter;
}

class FdSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
  void TearDown() override { dispatcher_->Shutdown(); }

  std::shared_ptr<PlatformDispatcher> dispatcher_ = CreateLinuxDispatcher({.worker_threads = 2});
  Executor background_{dispatcher_};
  ForegroundExecutor foreground_{dispatcher_};
};

TEST_F(FdSourceTest, WatchCallsBackOnTheMainThreadWithWhatIsReady) {
  Pipe pipe;
  std::string got;
  FdEvents events = FdEvents::kNone;
  std::thread::id callback_thread;
  FdWatch watch = WatchFd(*dispatcher_, pipe.read_fd, FdEvents::kReadable, [&](FdEvents ready) {
    events = ready;
    callback_thread = std::this_thread::get_id();
    got += pipe.ReadAll();
    if (got == "ab") dispatcher_->QuitMainLoop();
  });
  EXPECT_TRUE(watch.active());
  std::thread writer([&] {
    pipe.Write('a');
    pipe.Write('b');
  });
  dispatcher_->RunMainLoop();
  writer.join();
  EXPECT_EQ(got, "ab");
  EXPECT_EQ(events, FdEvents::kReadable);
  EXPECT_EQ(callback_thread, std::this_thread::get_id());
}

// The order across threads (THE MAIN-LOOP RULE): a descriptor made ready
// before a runnable is pushed is dispatched before that runnable runs, also
// when the push arrives while the loop, woken by another descriptor, is still
// dispatching it (the loop then polls once more before the batch).
TEST_F(FdSourceTest, ADescriptorReadyBeforeAPushIsDispatchedBeforeTheRunnable) {
  Pipe first, second;
  absl::Notification first_callback_running, pushed;
  bool second_dispatched = false;
  std::optional<bool> second_seen_by_runnable;
  FdWatch first_watch = WatchFd(*dispatcher_, first.read_fd, FdEvents::kReadable, [&](FdEvents) {
    first.ReadAll();
    first_callback_running.Notify();
    // Held here until the other thread has readied `second` and pushed.
    pushed.WaitForNotification();
  });
  FdWatch second_watch = WatchFd(*dispatcher_, second.read_fd, FdEvents::kReadable, [&](FdEvents) {
    second.ReadAll();
    second_dispatched = true;
  });
  // The other thread's Send wakes this task: the push of the runnable. The
  // thread starts once the task runs, so that the first callback can only
  // run after the task is suspended.
  auto [sender, receiver] = MakeOneshot<int>();
  std::thread other;
  foreground_
      .Spawn([&, rx = std::move(receiver), tx = std::move(sender)]() mutable -> Future<void> {
        other = std::thread([&, tx = std::move(tx)]() mutable {
          first.Write('a');
          first_callback_running.WaitForNotification();
          second.Write('b');
          EXPECT_TRUE(std::move(tx).Send(1).ok());
          pushed.Notify();
        });
        EXPECT_TRUE((co_await std::move(rx)).ok());
        second_seen_by_runnable = second_dispatched;
        dispatcher_->QuitMainLoop();
      })
      .Detach();
  dispatcher_->RunMainLoop();
  other.join();
  ASSERT_TRUE(second_seen_by_runnable.has_value());
  EXPECT_TRUE(*second_seen_by_runnable);
}

TEST_F(FdSourceTest, ResetStopsTheCallbackAndUnregisters) {
  Pipe pipe;
  int calls = 0;
  FdWatch watch = WatchFd(*dispatcher_, pipe.read_fd, FdEvents::kReadable, [&](FdEvents) {
    ++calls;
    pipe.ReadAll();
  });
  EXPECT_EQ(WaiterOf(*dispatcher_).registered_fds(), 1u);
  watch.Reset();
  EXPECT_FALSE(watch.active());
  EXPECT_EQ(WaiterOf(*dispatcher_).registered_fds(), 0u);
  pipe.Write('x');
  // Two turns of the loop: the first polls the pipe (it is readable).
  foreground_
      .Spawn([this]() -> Future<void> {
        co_await Yield();
        dispatcher_->QuitMainLoop();
      })
      .Detach();
  dispatcher_->RunMainLoop();
  EXPECT_EQ(calls, 0);
}

TEST_F(FdSourceTest, AForegroundTaskAwaitsAPipe) {
  Pipe pipe;
  Task<std::string> reader = foreground_.Spawn([&pipe, this]() -> Future<std::string> {
    std::string got;
    while (got.size() < 3) {
      FdEvents ready = co_await Readable(pipe.read_fd);
      EXPECT_EQ(ready, FdEvents::kReadable);
      EXPECT_TRUE(dispatcher_->IsMainThread());
      got += pipe.ReadAll();
    }
    dispatcher_->QuitMainLoop();
    co_return got;
  });
  background_
      .Spawn([&pipe]() -> Future<void> {
        for (char c : std::string("xyz")) pipe.Write(c);
        co_return;
      })
      .Detach();
  dispatcher_->RunMainLoop();
  EXPECT_TRUE(reader.IsReady());
  EXPECT_EQ(foreground_.Block(std::move(reader)), "xyz");
}

TEST_F(FdSourceTest, AnEventfdWrittenByAnotherThreadWakesTheAwaitingTask) {
  const int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(efd, 0);
  uint64_t total = 0;
  foreground_
      .Spawn([&]() -> Future<void> {
        while (total < 10) {
          co_await Readable(efd);
          uint64_t value = 0;
          if (read(efd, &value, sizeof value) == sizeof value) total += value;
        }
        dispatcher_->QuitMainLoop();
      })
      .Detach();
  std::thread writer([efd] {
    for (int i = 0; i < 10; ++i) {
      const uint64_t one = 1;
      EXPECT_EQ(write(efd, &one, sizeof one), static_cast<ssize_t>(sizeof one));
    }
  });
  dispatcher_->RunMainLoop();
  writer.join();
  EXPECT_EQ(total, 10u);
  close(efd);
}

// A TCP echo over loopback, every side a foreground task of one main loop:
// a non-blocking connect completes on Writable, accept on Readable.
TEST_F(FdSourceTest, LoopbackSocketsConnectAcceptAndEcho) {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);

  Task<std::string> server = foreground_.Spawn([listener]() -> Future<std::string> {
    int connection;
    while ((connection = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
      EXPECT_EQ(errno, EAGAIN);
      co_await Readable(listener);
    }
    std::string got;
    char buffer[64];
    while (true) {
      const ssize_t n = read(connection, buffer, sizeof buffer);
      if (n == 0) break;  // the client shut down its side
      if (n > 0) {
        got.append(buffer, n);
        EXPECT_EQ(write(connection, buffer, n), n);  // echo
        continue;
      }
      EXPECT_EQ(errno, EAGAIN);
      co_await Readable(connection);
    }
    close(connection);
    co_return got;
  });
  Task<std::string> client = foreground_.Spawn([&address, this]() -> Future<std::string> {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      EXPECT_EQ(errno, EINPROGRESS);
      FdEvents ready = co_await Writable(fd);
      EXPECT_EQ(ready, FdEvents::kWritable);
      int error = -1;
      socklen_t size = sizeof error;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
      EXPECT_EQ(error, 0);
    }
    const std::string message = "hello over loopback";
    EXPECT_EQ(write(fd, message.data(), message.size()), static_cast<ssize_t>(message.size()));
    std::string echoed;
    char buffer[64];
    while (echoed.size() < message.size()) {
      const ssize_t n = read(fd, buffer, sizeof buffer);
      if (n > 0) {
        echoed.append(buffer, n);
      } else {
        co_await Readable(fd);
      }
    }
    shutdown(fd, SHUT_WR);
    close(fd);
    dispatcher_->QuitMainLoop();
    co_return echoed;
  });
  dispatcher_->RunMainLoop();
  EXPECT_EQ(foreground_.Block(std::move(client)), "hello over loopback");
  // The server may still be reading the end of the stream.
  Task<void> quit_after = foreground_.Spawn([&server, this]() -> Future<void> {
    EXPECT_EQ(co_await std::move(server), "hello over loopback");
    dispatcher_->QuitMainLoop();
  });
  dispatcher_->RunMainLoop();
  EXPECT_TRUE(quit_after.IsReady());
  close(listener);
}

// Cancelling a task (dropping its handle) while it waits unregisters the
// descriptor, and a readiness pending in the kernel resumes nothing.
TEST_F(FdSourceTest, CancellingAPendingWaitUnregistersAndNothingResumes) {
  Pipe pipe;
  linux_internal::EpollWaiter& waiter = WaiterOf(*dispatcher_);
  bool resumed = false;
  Task<void> waiting = foreground_.Spawn([&]() -> Future<void> {
    co_await Readable(pipe.read_fd);
    resumed = true;
  });
  foreground_
      .Spawn([&]() -> Future<void> {
        // FIFO: `waiting` has run its first step and is suspended now.
        EXPECT_EQ(waiter.registered_fds(), 1u);
        pipe.Write('x');  // ready in the kernel before the cancel
        waiting = Task<void>();
        EXPECT_EQ(waiter.registered_fds(), 0u);
        // More turns, each polling the (readable) pipe.
        for (int i = 0; i < 3; ++i) co_await Yield();
        dispatcher_->QuitMainLoop();
      })
      .Detach();
  dispatcher_->RunMainLoop();
  EXPECT_FALSE(resumed);
  EXPECT_EQ(waiter.registered_fds(), 0u);
}

// The same from another thread, racing with the main loop's polls: the wait
// may be over first (then the task runs, or is cancelled while queued), or
// be unregistered by the cancel; either way no step starts after the cancel
// returns, and nothing stays registered.
TEST_F(FdSourceTest, CancellingAWaitFromAnotherThread) {
  Pipe pipe;
  linux_internal::EpollWaiter& waiter = WaiterOf(*dispatcher_);
  std::atomic<bool> cancelled{false};
  Task<void> waiting = foreground_.Spawn([&]() -> Future<void> {
    // The step may have started just before the cancel: it may resume, but
    // nothing stays registered (checked below).
    co_await Readable(pipe.read_fd);
  });
  foreground_
      .Spawn([&]() -> Future<void> {
        pipe.Write('x');
        std::thread canceller([&] {
          waiting = Task<void>();
          cancelled.store(true);
        });
        for (int i = 0; i < 3; ++i) co_await Yield();  // turns race with the cancel
        canceller.join();
        co_await Yield();
        EXPECT_EQ(waiter.registered_fds(), 0u);
        dispatcher_->QuitMainLoop();
      })
      .Detach();
  dispatcher_->RunMainLoop();
}

TEST_F(FdSourceTest, TwoHundredPipesWithTasksAndWatches) {
  constexpr int kPipes = 200;
  std::vector<std::unique_ptr<Pipe>> task_pipes;
  std::vector<std::unique_ptr<Pipe>> watch_pipes;
  std::vector<FdWatch> watches;
  int tasks_done = 0;
  int watches_fired = 0;
  for (int i = 0; i < kPipes; ++i) {
    task_pipes.push_back(std::make_unique<Pipe>());
    watch_pipes.push_back(std::make_unique<Pipe>());
  }
  auto check_done = [&] {
    if (tasks_done == kPipes && watches_fired == kPipes) dispatcher_->QuitMainLoop();
  };
  for (int i = 0; i < kPipes; ++i) {
    Pipe& pipe = *task_pipes[i];
    foreground_
        .Spawn([&pipe, &tasks_done, &check_done, i]() -> Future<void> {
          co_await Readable(pipe.read_fd);
          EXPECT_EQ(pipe.ReadAll(), std::string(1, static_cast<char>('a' + i % 26)));
          ++tasks_done;
          check_done();
        })
        .Detach();
    Pipe& watched = *watch_pipes[i];
    watches.push_back(WatchFd(*dispatcher_, watched.read_fd, FdEvents::kReadable,
                              [&watched, &watches, &watches_fired, &check_done, i](FdEvents) {
                                watched.ReadAll();
                                watches[i].Reset();  // a callback ends its own watch
                                ++watches_fired;
                                check_done();
                              }));
  }
  // Written from a background task, in reverse order.
  background_
      .Spawn([&]() -> Future<void> {
        for (int i = kPipes - 1; i >= 0; --i) {
          task_pipes[i]->Write(static_cast<char>('a' + i % 26));
          watch_pipes[i]->Write('w');
        }
        co_return;
      })
      .Detach();
  dispatcher_->RunMainLoop();
  EXPECT_EQ(tasks_done, kPipes);
  EXPECT_EQ(watches_fired, kPipes);
  EXPECT_EQ(WaiterOf(*dispatcher_).registered_fds(), 0u);
}

// Several interests in one descriptor: a watch and two tasks (one reading,
// one writing) on one socket pair end.
TEST_F(FdSourceTest, WatchesAndWaitsShareADescriptor) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
  int watch_calls = 0;
  FdWatch watch =
      WatchFd(*dispatcher_, fds[0], FdEvents::kReadable, [&](FdEvents) { ++watch_calls; });
  Task<FdEvents> writer =
      foreground_.Spawn([&]() -> Future<FdEvents> { co_return co_await Writable(fds[0]); });
  Task<FdEvents> reader = foreground_.Spawn([&]() -> Future<FdEvents> {
    FdEvents ready = co_await Readable(fds[0]);
    char c;
    EXPECT_EQ(read(fds[0], &c, 1), 1);
    watch.Reset();
    dispatcher_->QuitMainLoop();
    co_return ready;
  });
  foreground_
      .Spawn([&]() -> Future<void> {
        co_await Yield();
        EXPECT_EQ(write(fds[1], "z", 1), 1);
      })
      .Detach();
  dispatcher_->RunMainLoop();
  EXPECT_EQ(foreground_.Block(std::move(writer)), FdEvents::kWritable);
  EXPECT_EQ(foreground_.Block(std::move(reader)), FdEvents::kReadable);
  EXPECT_GE(watch_calls, 1);
  EXPECT_EQ(WaiterOf(*dispatcher_).registered_fds(), 0u);
  close(fds[0]);
  close(fds[1]);
}

// An idle loop sleeps in the kernel: while a watched pipe stays silent for
// 200 ms (ended by a foreground timer), epoll_wait is entered a handful of
// times, never polled, and the main thread uses next to no CPU time.
TEST_F(FdSourceTest, AnIdleLoopDoesNotBusyWait) {
  Pipe pipe;
  FdWatch watch = WatchFd(*dispatcher_, pipe.read_fd, FdEvents::kReadable,
                          [](FdEvents) { ADD_FAILURE() << "nobody writes to this pipe"; });
  linux_internal::EpollWaiter& waiter = WaiterOf(*dispatcher_);
  rusage before{};
  rusage after{};
  uint64_t sleeps_before = 0;
  uint64_t polls_before = 0;
  foreground_
      .Spawn([&]() -> Future<void> {
        sleeps_before = waiter.sleeps();
        polls_before = waiter.polls();
        getrusage(RUSAGE_THREAD, &before);
        co_await foreground_.Timer(std::chrono::milliseconds(200));
        getrusage(RUSAGE_THREAD, &after);
        dispatcher_->QuitMainLoop();
      })
      .Detach();
  dispatcher_->RunMainLoop();
  // One sleep for the timer, plus at most a spurious wake-up or two.
  EXPECT_LE(waiter.sleeps() - sleeps_before, 3u);
  EXPECT_LE(waiter.polls() - polls_before, 3u);
  auto micros = [](const timeval& t) { return int64_t{t.tv_sec} * 1'000'000 + t.tv_usec; };
  const int64_t cpu_us = micros(after.ru_utime) + micros(after.ru_stime) - micros(before.ru_utime) -
                         micros(before.ru_stime);
  EXPECT_LT(cpu_us, 50'000) << "the main thread used CPU time while idle";
}

// A busy main thread still serves its descriptors (once per batch), and a
// descriptor that stays ready does not starve the foreground runnables.
TEST_F(FdSourceTest, RunnablesAndTimersRunWhileSourcesAreRegistered) {
  const int efd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);  // readable until read
  ASSERT_GE(efd, 0);
  int calls = 0;
  std::vector<int> calls_seen_by_task;
  FdWatch watch = WatchFd(*dispatcher_, efd, FdEvents::kReadable, [&](FdEvents) { ++calls; });
  foreground_
      .Spawn([&]() -> Future<void> {
        for (int i = 0; i < 5; ++i) {
          calls_seen_by_task.push_back(calls);
          co_await Yield();
        }
        co_await foreground_.Timer(std::chrono::milliseconds(5));
        dispatcher_->QuitMainLoop();
      })
      .Detach();
  dispatcher_->RunMainLoop();
  ASSERT_EQ(calls_seen_by_task.size(), 5u);
  // One dispatch between each two batches: the callback and the task alternate.
  for (size_t i = 1; i < calls_seen_by_task.size(); ++i) {
    EXPECT_EQ(calls_seen_by_task[i], calls_seen_by_task[i - 1] + 1);
  }
  EXPECT_GT(calls, 5);
  close(efd);
}

// A pipe whose write end is closed reports a hang-up to the reader; one whose
// read end is closed reports an error to the writer.
TEST_F(FdSourceTest, HangUpAndErrorAreReported) {
  Pipe pipe;
  FdEvents watch_events = FdEvents::kNone;
  FdWatch watch;
  watch = WatchFd(*dispatcher_, pipe.read_fd, FdEvents::kReadable, [&](FdEvents ready) {
    watch_events = ready;
    watch.Reset();  // level-triggered: a hang-up is reported until unwatched
  });
  Pipe other;
  Task<FdEvents> hang_up =
      foreground_.Spawn([&]() -> Future<FdEvents> { co_return co_await Readable(pipe.read_fd); });
  Task<FdEvents> error = foreground_.Spawn([&]() -> Future<FdEvents> {
    FdEvents ready = co_await Writable(other.write_fd);  // writable at once
    EXPECT_EQ(ready, FdEvents::kWritable);
    other.CloseRead();
    co_return co_await Writable(other.write_fd);
  });
  FdEvents hang_up_events = FdEvents::kNone;
  FdEvents error_events = FdEvents::kNone;
  foreground_
      .Spawn([&]() -> Future<void> {
        pipe.CloseWrite();
        hang_up_events = co_await std::move(hang_up);
        error_events = co_await std::move(error);
        dispatcher_->QuitMainLoop();
      })
      .Detach();
  dispatcher_->RunMainLoop();
  EXPECT_TRUE(HasAny(hang_up_events, FdEvents::kHangUp));
  EXPECT_TRUE(HasAny(watch_events, FdEvents::kHangUp));
  EXPECT_FALSE(watch.active());
  EXPECT_TRUE(HasAny(error_events, FdEvents::kError));
}

// Closing a watched descriptor (the documented misuse that is tolerated):
// epoll forgets it, so its watch never fires; destroying the watch later is
// harmless; and a new descriptor that reuses the number can be watched.
TEST_F(FdSourceTest, ADescriptorClosedWhileWatchedGoesQuiet) {
  auto pipe = std::make_unique<Pipe>();
  const int number = pipe->read_fd;
  int old_calls = 0;
  FdWatch old_watch =
      WatchFd(*dispatcher_, pipe->read_fd, FdEvents::kReadable, [&](FdEvents) { ++old_calls; });
  pipe.reset();  // closes both ends while watched
  Pipe reused;   // the lowest free numbers: the read end takes `number` back
  ASSERT_EQ(reused.read_fd, number);
  std::string got;
  FdWatch new_watch = WatchFd(*dispatcher_, reused.read_fd, FdEvents::kReadable, [&](FdEvents) {
    got += reused.ReadAll();
    dispatcher_->QuitMainLoop();
  });
  reused.Write('n');
  dispatcher_->RunMainLoop();
  EXPECT_EQ(got, "n");
  // Both watches are watches of `number` now: the old one's callback is
  // called for the new file too, the hazard of closing before unwatching.
  EXPECT_EQ(old_calls, 1);
  old_watch.Reset();
  new_watch.Reset();
  EXPECT_EQ(WaiterOf(*dispatcher_).registered_fds(), 0u);
}

// Shutdown ends a pending wait by cancelling its task: the frame is
// destroyed (nothing leaks under ASan), and the task never resumes.
TEST_F(FdSourceTest, ShutdownCancelsAPendingWait) {
  Pipe pipe;
  auto frame_alive = std::make_shared<int>(0);
  std::weak_ptr<int> watch_frame = frame_alive;
  bool resumed = false;
  foreground_
      .Spawn([&, alive = std::move(frame_alive)]() -> Future<void> {
        co_await Readable(pipe.read_fd);
        resumed = true;
      })
      .Detach();
  foreground_
      .Spawn([&]() -> Future<void> {
        dispatcher_->QuitMainLoop();
        co_return;
      })
      .Detach();
  dispatcher_->RunMainLoop();
  EXPECT_FALSE(watch_frame.expired());
  dispatcher_->Shutdown();
  EXPECT_TRUE(watch_frame.expired());
  EXPECT_FALSE(resumed);
  EXPECT_EQ(WaiterOf(*dispatcher_).registered_fds(), 0u);
}

using FdSourceDeathTest = FdSourceTest;

TEST_F(FdSourceDeathTest, AwaitingInABackgroundTaskIsFatal) {
  Pipe pipe;
  EXPECT_DEATH(background_.Block([&]() -> Future<void> { co_await Readable(pipe.read_fd); }),
               "co_await Readable.*fd_source_test.cc.*outside the main loop");
}

TEST_F(FdSourceDeathTest, WatchingOffTheMainThreadIsFatal) {
  Pipe pipe;
  EXPECT_DEATH(std::thread([&] {
                 FdWatch watch =
                     WatchFd(*dispatcher_, pipe.read_fd, FdEvents::kReadable, [](FdEvents) {});
               }).join(),
               "WatchFd.*fd_source_test.cc.*off the dispatcher's main thread");
}

TEST_F(FdSourceDeathTest, DestroyingAWatchOffTheMainThreadIsFatal) {
  Pipe pipe;
  EXPECT_DEATH(
      {
        FdWatch watch = WatchFd(*dispatcher_, pipe.read_fd, FdEvents::kReadable, [](FdEvents) {});
        std::thread([&] { watch.Reset(); }).join();
      },
      "FdWatch of file descriptor.*fd_source_test.cc.*off the main thread");
}

TEST_F(FdSourceDeathTest, ARegularFileIsRefused) {
  const int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_DEATH({ FdWatch watch = WatchFd(*dispatcher_, fd, FdEvents::kReadable, [](FdEvents) {}); },
               "cannot wait for file descriptor.*fd_source_test.cc.*Operation not permitted");
  close(fd);
}

}  // namespace
}  // namespace scheduler
