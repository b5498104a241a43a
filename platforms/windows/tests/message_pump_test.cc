// The Windows main loop as a message pump (platforms/windows/message_pump.h):
// window messages of a message-only window and thread messages are dispatched
// while foreground runnables and timers run, foreground tasks wait for
// handles, and the pump sleeps in the kernel when idle. Cross-built with
// --config=windows, run under wine.
#include "platforms/windows/message_pump.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "executor/executor.h"
#include "gtest/gtest.h"
#include "platforms/internal/dispatcher_backend.h"
#include "platforms/internal/os_dispatchers.h"
#include "platforms/platform_dispatcher.h"
#include "platforms/tests/frame_counters.h"
#include "platforms/windows/internal/message_pump_waiter.h"
#include "platforms/windows/internal/win32.h"
#include "scheduler/future.h"
#include "scheduler/task.h"
#include "scheduler/yield.h"

namespace scheduler {
namespace {

using std::chrono::milliseconds;
using windows_internal::MessagePumpWaiter;

constexpr UINT kPosted = WM_APP + 1;
constexpr UINT kSent = WM_APP + 2;
constexpr UINT kThreadMessage = WM_APP + 3;

std::shared_ptr<MessagePumpWaiter> PumpOf(PlatformDispatcher& dispatcher) {
  return std::dynamic_pointer_cast<MessagePumpWaiter>(
      platform_internal::BackendAccess::Of(dispatcher).main_loop_waiter());
}

// A message-only window (HWND_MESSAGE: never shown, receives posted and sent
// messages) that records the kPosted and kSent messages its procedure gets,
// and on which thread.
class MessageWindow {
 public:
  struct Received {
    UINT message;
    WPARAM wparam;
    DWORD thread;
  };

  MessageWindow() {
    static const ATOM atom = [] {
      WNDCLASSEXW window_class{};
      window_class.cbSize = sizeof window_class;
      window_class.lpfnWndProc = &MessageWindow::Procedure;
      window_class.hInstance = GetModuleHandleW(nullptr);
      window_class.lpszClassName = L"MessagePumpTestWindow";
      return RegisterClassExW(&window_class);
    }();
    hwnd_ = CreateWindowExW(0, reinterpret_cast<LPCWSTR>(static_cast<ULONG_PTR>(atom)), L"", 0, 0,
                            0, 0, 0, HWND_MESSAGE, nullptr, GetModuleHandleW(nullptr), nullptr);
    SetWindowLongPtrW(hwnd_, GWLP_USERDATA, reinterpret_cast<LONG_PTR>(this));
  }
  MessageWindow(const MessageWindow&) = delete;
  MessageWindow& operator=(const MessageWindow&) = delete;
  ~MessageWindow() { DestroyWindow(hwnd_); }

  HWND hwnd() const { return hwnd_; }
  // Main thread only (the window's procedure writes it there).
  const std::vector<Received>& received() const { return received_; }

 private:
  static LRESULT CALLBACK Procedure(HWND hwnd, UINT message, WPARAM wparam, LPARAM lparam) {
    auto* self = reinterpret_cast<MessageWindow*>(GetWindowLongPtrW(hwnd, GWLP_USERDATA));
    if (self != nullptr && (message == kPosted || message == kSent)) {
      self->received_.push_back({message, wparam, GetCurrentThreadId()});
      return static_cast<LRESULT>(wparam + 1);
    }
    return DefWindowProcW(hwnd, message, wparam, lparam);
  }

  HWND hwnd_ = nullptr;
  std::vector<Received> received_;
};

struct Event {
  explicit Event(bool manual_reset = false)
      : handle(CreateEventW(nullptr, manual_reset, FALSE, nullptr)) {}
  ~Event() { CloseHandle(handle); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  HANDLE handle;
};

// Each turn of the loop pumps before it runs a batch, so a message posted in
// one step has been dispatched when the task's next step (behind a Yield)
// starts, and not before: never in the middle of a step.
TEST(MessagePumpTest, PostedWindowMessagesAreDispatchedBetweenForegroundSteps) {
  auto dispatcher = CreateWindowsDispatcher();
  ForegroundExecutor foreground(dispatcher);
  MessageWindow window;
  ASSERT_NE(window.hwnd(), nullptr);
  constexpr int kMessages = 20;
  foreground
      .Spawn([&]() -> Future<void> {
        for (int i = 0; i < kMessages; ++i) {
          EXPECT_TRUE(PostMessageW(window.hwnd(), kPosted, i, 0));
          EXPECT_EQ(window.received().size(), size_t(i)) << "dispatched in the middle of a step";
          co_await Yield();
          EXPECT_EQ(window.received().size(), size_t(i + 1)) << "not dispatched before the step";
        }
        dispatcher->QuitMainLoop();
      })
      .Detach();
  dispatcher->RunMainLoop();
  ASSERT_EQ(window.received().size(), size_t{kMessages});
  for (int i = 0; i < kMessages; ++i) {
    EXPECT_EQ(window.received()[i].wparam, WPARAM(i));
    EXPECT_EQ(window.received()[i].thread, GetCurrentThreadId());
  }
  dispatcher->Shutdown();
}

// Messages sent (SendMessage, which blocks the sender until the window's
// thread handles it) and posted from pool threads reach the window while the
// main thread waits in the pump for foreground timers and task wake-ups; the
// sent ones would deadlock the test if the pump did not deliver them.
TEST(MessagePumpTest, MessagesFromPoolThreadsArriveWhileForegroundTimersRun) {
  auto dispatcher = CreateWindowsDispatcher({.worker_threads = 2});
  ForegroundExecutor foreground(dispatcher);
  Executor background(dispatcher);
  MessageWindow window;
  constexpr int kSends = 10;
  int timers_fired = 0;
  foreground
      .Spawn([&]() -> Future<void> {
        Task<LRESULT> sender = background.Spawn([&]() -> Future<LRESULT> {
          LRESULT sum = 0;
          for (int i = 0; i < kSends; ++i) {
            PostMessageW(window.hwnd(), kPosted, i, 0);
            sum += SendMessageW(window.hwnd(), kSent, i, 0);
          }
          co_return sum;
        });
        Task<void> ticker = foreground.Spawn([&]() -> Future<void> {
          for (int i = 0; i < 5; ++i) {
            co_await foreground.Timer(milliseconds(2));
            ++timers_fired;
          }
        });
        const LRESULT sum = co_await std::move(sender);
        co_await std::move(ticker);
        EXPECT_EQ(sum, LRESULT{kSends * (kSends + 1) / 2});  // each returned wparam + 1
        dispatcher->QuitMainLoop();
      })
      .Detach();
  dispatcher->RunMainLoop();
  EXPECT_EQ(timers_fired, 5);
  // Posted before the sender finished, so all dispatched before the task
  // awaiting it resumed. PeekMessage delivers a pending sent message before
  // it returns a posted one, so posted i and sent i may come in either
  // order; but sent i came before posted i + 1 (the sender waited for it).
  ASSERT_EQ(window.received().size(), size_t{2 * kSends});
  std::vector<WPARAM> posted, sent;
  std::vector<size_t> sent_at, posted_at;
  for (size_t k = 0; k < window.received().size(); ++k) {
    const MessageWindow::Received& r = window.received()[k];
    (r.message == kSent ? sent : posted).push_back(r.wparam);
    (r.message == kSent ? sent_at : posted_at).push_back(k);
  }
  std::vector<WPARAM> in_order;
  for (int i = 0; i < kSends; ++i) in_order.push_back(i);
  EXPECT_EQ(posted, in_order);
  EXPECT_EQ(sent, in_order);
  for (size_t i = 0; i + 1 < posted_at.size() && i < sent_at.size(); ++i) {
    EXPECT_LT(sent_at[i], posted_at[i + 1]);
  }
  for (const MessageWindow::Received& r : window.received()) {
    EXPECT_EQ(r.thread, GetCurrentThreadId());
  }
  dispatcher->Shutdown();
}

// Thread messages (no window) posted from a pool thread to the main thread
// reach the filters in order; a message a filter consumes reaches neither
// later filters nor DispatchMessage; a reset filter is not called again.
TEST(MessagePumpTest, ThreadMessagesFromAPoolThreadReachTheFilters) {
  auto dispatcher = CreateWindowsDispatcher({.worker_threads = 1});
  ForegroundExecutor foreground(dispatcher);
  Executor background(dispatcher);
  const DWORD main_thread = GetCurrentThreadId();
  std::vector<WPARAM> first_saw, second_saw;
  // Consumes the even ones.
  MessageFilter first = FilterMessages(*dispatcher, [&](const MSG& msg) {
    if (msg.message != kThreadMessage) return false;
    EXPECT_EQ(msg.hwnd, nullptr);
    EXPECT_TRUE(dispatcher->IsMainThread());
    first_saw.push_back(msg.wParam);
    return msg.wParam % 2 == 0;
  });
  MessageFilter second = FilterMessages(*dispatcher, [&](const MSG& msg) {
    if (msg.message == kThreadMessage) second_saw.push_back(msg.wParam);
    return msg.message == kThreadMessage;
  });
  EXPECT_TRUE(first.active());
  constexpr int kMessages = 10;
  foreground
      .Spawn([&]() -> Future<void> {
        co_await background.Spawn([&]() -> Future<void> {
          for (int i = 0; i < kMessages; ++i) {
            EXPECT_TRUE(PostThreadMessageW(main_thread, kThreadMessage, i, 0));
          }
          co_return;
        });
        std::vector<WPARAM> in_order;
        for (int i = 0; i < kMessages; ++i) in_order.push_back(i);
        EXPECT_EQ(first_saw, in_order);
        EXPECT_EQ(second_saw, (std::vector<WPARAM>{1, 3, 5, 7, 9}));
        first.Reset();
        EXPECT_FALSE(first.active());
        PostThreadMessageW(main_thread, kThreadMessage, 100, 0);
        co_await Yield();
        EXPECT_EQ(first_saw.size(), size_t{kMessages});
        EXPECT_EQ(second_saw.back(), WPARAM{100});
        dispatcher->QuitMainLoop();
      })
      .Detach();
  dispatcher->RunMainLoop();
  dispatcher->Shutdown();
}

// WM_QUIT ends RunMainLoop like QuitMainLoop, whether posted by the main
// thread (PostQuitMessage in a step) or by another thread while the loop
// sleeps; the loop can be run again afterwards.
TEST(MessagePumpTest, WmQuitEndsRunMainLoop) {
  auto dispatcher = CreateWindowsDispatcher();
  ForegroundExecutor foreground(dispatcher);
  Executor background(dispatcher);
  const DWORD main_thread = GetCurrentThreadId();
  bool after_quit_ran = false;
  foreground
      .Spawn([&]() -> Future<void> {
        PostQuitMessage(3);
        co_await Yield();
        after_quit_ran = true;
        // The loop goes to sleep after this step; the pool thread's WM_QUIT
        // wakes it and ends it.
        background
            .Spawn([main_thread]() -> Future<void> {
              PostThreadMessageW(main_thread, WM_QUIT, 0, 0);
              co_return;
            })
            .Detach();
      })
      .Detach();
  dispatcher->RunMainLoop();
  EXPECT_FALSE(after_quit_ran);
  dispatcher->RunMainLoop();  // would hang if WM_QUIT did not end it
  EXPECT_TRUE(after_quit_ran);
  dispatcher->Shutdown();
}

TEST(MessagePumpTest, SignaledResumesOnTheMainThreadWhenAPoolThreadSetsTheEvent) {
  auto dispatcher = CreateWindowsDispatcher({.worker_threads = 2});
  ForegroundExecutor foreground(dispatcher);
  Executor background(dispatcher);
  Event event;  // auto-reset
  bool resumed_on_main = false;
  foreground
      .Spawn([&]() -> Future<void> {
        background
            .Spawn([&]() -> Future<void> {
              SetEvent(event.handle);
              co_return;
            })
            .Detach();
        co_await Signaled(event.handle);
        resumed_on_main = dispatcher->IsMainThread();
        // The wait took the auto-reset event's signal.
        EXPECT_EQ(WaitForSingleObject(event.handle, 0), DWORD{WAIT_TIMEOUT});
        dispatcher->QuitMainLoop();
      })
      .Detach();
  dispatcher->RunMainLoop();
  EXPECT_TRUE(resumed_on_main);
  EXPECT_EQ(PumpOf(*dispatcher)->pending_waits(), 0u);
  dispatcher->Shutdown();
}

// A signaled handle, and a pool thread's process-wide handle (a thread
// handle) both work: Signaled takes any waitable kernel object.
TEST(MessagePumpTest, SignaledWaitsForAThreadToExit) {
  auto dispatcher = CreateWindowsDispatcher();
  ForegroundExecutor foreground(dispatcher);
  std::atomic<bool> exited{false};
  HANDLE thread = CreateThread(
      nullptr, 0,
      [](void* flag) -> DWORD {
        static_cast<std::atomic<bool>*>(flag)->store(true);
        return 0;
      },
      &exited, 0, nullptr);
  ASSERT_NE(thread, nullptr);
  foreground
      .Spawn([&]() -> Future<void> {
        co_await Signaled(thread);
        EXPECT_TRUE(exited.load());
        dispatcher->QuitMainLoop();
      })
      .Detach();
  dispatcher->RunMainLoop();
  CloseHandle(thread);
  dispatcher->Shutdown();
}

// Cancelling a pending wait (dropping the task) removes it at once; the
// event signaled afterwards resumes nothing, and a manual-reset event left
// signaled does not make the pump spin (it is no longer waited for).
void CancelAPendingWait(bool from_pool_thread) {
  auto dispatcher = CreateWindowsDispatcher({.worker_threads = 1});
  ForegroundExecutor foreground(dispatcher);
  Executor background(dispatcher);
  std::shared_ptr<MessagePumpWaiter> pump = PumpOf(*dispatcher);
  auto event = std::make_unique<Event>(/*manual_reset=*/true);
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  bool resumed = false;
  Task<void> waiting = foreground.Spawn([&, sentinel = FrameSentinel(destroyed)]() -> Future<void> {
    co_await Signaled(event->handle);
    resumed = true;
  });
  foreground
      .Spawn([&]() -> Future<void> {
        // FIFO: `waiting` ran its first step and waits.
        EXPECT_EQ(pump->pending_waits(), 1u);
        if (from_pool_thread) {
          // Named rather than a temporary inside the co_await expression:
          // GCC 12 may destroy such temporaries twice.
          auto drop = [doomed = std::move(waiting)]() mutable -> Future<void> {
            { Task<void> dropped = std::move(doomed); }
            co_return;
          };
          Task<void> dropper = background.Spawn(std::move(drop));
          co_await std::move(dropper);
        } else {
          Task<void> doomed = std::move(waiting);
        }
        EXPECT_EQ(destroyed->load(), 1);
        EXPECT_EQ(pump->pending_waits(), 0u);
        // The pump waits on its own duplicate: the caller's handle may go.
        SetEvent(event->handle);
        event.reset();
        const uint64_t sleeps = pump->sleeps();
        co_await background.Timer(milliseconds(50));
        // One sleep for the timer's wake-up, give or take a spurious one;
        // a pump spinning on the signaled duplicate would count thousands.
        EXPECT_LE(pump->sleeps() - sleeps, 3u);
        co_await Yield();
        EXPECT_FALSE(resumed);
        dispatcher->QuitMainLoop();
      })
      .Detach();
  dispatcher->RunMainLoop();
  EXPECT_FALSE(resumed);
  dispatcher->Shutdown();
}

TEST(MessagePumpTest, CancellingAPendingWaitOnTheMainThreadRemovesIt) { CancelAPendingWait(false); }

TEST(MessagePumpTest, CancellingAPendingWaitFromAPoolThreadRemovesIt) { CancelAPendingWait(true); }

// The most waits one MsgWaitForMultipleObjectsEx holds (62, with the wake
// event) are pending at once; when all are signaled, one turn of the pump
// wakes them all (the wait reports the lowest signaled index only: the
// handles after it are tested in the same turn).
TEST(MessagePumpTest, TheMostHandleWaitsArePendingAtOnceAndOneTurnWakesThemAll) {
  auto dispatcher = CreateWindowsDispatcher({.worker_threads = 1});
  ForegroundExecutor foreground(dispatcher);
  std::shared_ptr<MessagePumpWaiter> pump = PumpOf(*dispatcher);
  constexpr int kWaits = MessagePumpWaiter::kMaxHandleWaits;
  static_assert(kWaits == 62);
  std::vector<std::unique_ptr<Event>> events;
  for (int i = 0; i < kWaits; ++i) events.push_back(std::make_unique<Event>());
  std::vector<int> resumed;
  for (int i = 0; i < kWaits; ++i) {
    foreground
        .Spawn([&, i]() -> Future<void> {
          co_await Signaled(events[i]->handle);
          EXPECT_TRUE(dispatcher->IsMainThread());
          resumed.push_back(i);
        })
        .Detach();
  }
  foreground
      .Spawn([&]() -> Future<void> {
        // FIFO: every wait above ran its first step.
        EXPECT_EQ(pump->pending_waits(), size_t{kWaits});
        for (int i = 0; i < kWaits; ++i) SetEvent(events[i]->handle);
        // Next turn: the pump wakes the signaled waits, queued behind this
        // task; then this task yields again, behind them.
        co_await Yield();
        co_await Yield();
        EXPECT_EQ(resumed.size(), size_t{kWaits});
        EXPECT_EQ(pump->pending_waits(), 0u);
        dispatcher->QuitMainLoop();
      })
      .Detach();
  dispatcher->RunMainLoop();
  ASSERT_EQ(resumed.size(), size_t{kWaits});
  for (int i = 0; i < kWaits; ++i) EXPECT_EQ(resumed[i], i);
  dispatcher->Shutdown();
}

// An idle pump sleeps in the kernel: a foreground task waiting 100 ms for a
// handle costs a few waits, not a spin.
TEST(MessagePumpTest, AnIdlePumpSleepsInsteadOfPolling) {
  auto dispatcher = CreateWindowsDispatcher({.worker_threads = 1});
  ForegroundExecutor foreground(dispatcher);
  Executor background(dispatcher);
  std::shared_ptr<MessagePumpWaiter> pump = PumpOf(*dispatcher);
  Event event;
  uint64_t sleeps = 0;
  uint64_t polls = 0;
  foreground
      .Spawn([&]() -> Future<void> {
        background
            .Spawn([&]() -> Future<void> {
              co_await background.Timer(milliseconds(100));
              SetEvent(event.handle);
            })
            .Detach();
        sleeps = pump->sleeps();
        polls = pump->polls();
        co_await Signaled(event.handle);
        sleeps = pump->sleeps() - sleeps;
        polls = pump->polls() - polls;
        dispatcher->QuitMainLoop();
      })
      .Detach();
  dispatcher->RunMainLoop();
  EXPECT_GE(sleeps, 1u);
  EXPECT_LE(sleeps, 3u);
  EXPECT_LE(polls, 3u);
  dispatcher->Shutdown();
}

// Shutdown ends a pending wait by cancelling its task: the frame is freed,
// the wait removed.
TEST(MessagePumpTest, ShutdownCancelsAPendingWait) {
  auto dispatcher = CreateWindowsDispatcher();
  ForegroundExecutor foreground(dispatcher);
  std::shared_ptr<MessagePumpWaiter> pump = PumpOf(*dispatcher);
  Event event;
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  bool resumed = false;
  foreground
      .Spawn([&, sentinel = FrameSentinel(destroyed)]() -> Future<void> {
        co_await Signaled(event.handle);
        resumed = true;
      })
      .Detach();
  foreground
      .Spawn([&]() -> Future<void> {
        dispatcher->QuitMainLoop();
        co_return;
      })
      .Detach();
  dispatcher->RunMainLoop();
  EXPECT_EQ(pump->pending_waits(), 1u);
  dispatcher->Shutdown();
  EXPECT_EQ(destroyed->load(), 1);
  EXPECT_EQ(pump->pending_waits(), 0u);
  EXPECT_FALSE(resumed);
}

// Filters (and window procedures) run like foreground steps: an exception
// escaping one is reported, and the pump goes on with the next message.
TEST(MessagePumpTest, AnExceptionEscapingAFilterIsReportedAndThePumpGoesOn) {
  auto dispatcher = CreateWindowsDispatcher();
  ForegroundExecutor foreground(dispatcher);
  int seen = 0;
  MessageFilter filter = FilterMessages(*dispatcher, [&](const MSG& msg) -> bool {
    if (msg.message != kThreadMessage) return false;
    if (++seen == 1) throw std::runtime_error("filter failed");
    return true;
  });
  foreground
      .Spawn([&]() -> Future<void> {
        PostThreadMessageW(GetCurrentThreadId(), kThreadMessage, 0, 0);
        PostThreadMessageW(GetCurrentThreadId(), kThreadMessage, 1, 0);
        co_await Yield();
        EXPECT_EQ(seen, 2);
        dispatcher->QuitMainLoop();
      })
      .Detach();
  testing::internal::CaptureStderr();
  dispatcher->RunMainLoop();
  EXPECT_NE(testing::internal::GetCapturedStderr().find("filter failed"), std::string::npos);
  dispatcher->Shutdown();
}

TEST(MessagePumpDeathTest, MoreWaitsThanOneWaitArrayHoldsIsFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        auto dispatcher = CreateWindowsDispatcher();
        ForegroundExecutor foreground(dispatcher);
        HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
        for (int i = 0; i <= MessagePumpWaiter::kMaxHandleWaits; ++i) {
          foreground.Spawn([event]() -> Future<void> { co_await Signaled(event); }).Detach();
        }
        dispatcher->RunMainLoop();
      },
      "62 handle waits are already pending");
}

TEST(MessagePumpDeathTest, SignaledInABackgroundTaskIsFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        auto dispatcher = CreateWindowsDispatcher();
        HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
        Executor(dispatcher).Block([event]() -> Future<void> { co_await Signaled(event); });
      },
      "outside the main loop");
}

TEST(MessagePumpDeathTest, SignaledOnAValueThatIsNotAHandleIsFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        auto dispatcher = CreateWindowsDispatcher();
        ForegroundExecutor(dispatcher)
            .Spawn([]() -> Future<void> { co_await Signaled(nullptr); })
            .Detach();
        dispatcher->RunMainLoop();
      },
      "not an open handle");
}

TEST(MessagePumpDeathTest, FilterMessagesOffTheMainThreadIsFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        auto dispatcher = CreateWindowsDispatcher();
        std::thread([&] {
          MessageFilter f = FilterMessages(*dispatcher, [](const MSG&) { return false; });
        }).join();
      },
      "off the dispatcher's main thread");
}

}  // namespace
}  // namespace scheduler
