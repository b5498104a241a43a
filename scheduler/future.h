// Future<T>: a lazy C++20 coroutine, the unit of asynchronous work.
//
// Any function returning `Future<T>` and using `co_await` / `co_return` is a
// coroutine. It is *lazy*: calling it allocates its frame and runs nothing.
// The body runs only when the future is spawned (`Spawn`, `Executor::Spawn`,
// `Block`) or awaited by another coroutine (`T v = co_await F();`), in which
// case it runs inline, as part of the awaiting task's step, and returns to the
// awaiter through symmetric transfer (no stack growth, no scheduler hop).
//
//   Future<int> Add(Executor ex, int a, int b) {
//     co_await ex.Timer(std::chrono::milliseconds(1));
//     co_return a + b;
//   }
//
// Inside a Future, `co_await` accepts other Futures, `Task`s and this
// library's awaitables (`Yield()`, channel and oneshot receivers, ...); other
// awaitables are rejected at compile time, because only ours know how to hand
// the task back to its scheduler.
//
// An exception thrown in the body is rethrown by `co_await`.
//
// Lifetime pitfall shared by all lazy coroutines: a coroutine lambda's
// captures live in the lambda object, not in the frame. Pass a callable to
// `Spawn` (which keeps it alive inside the task) or pass state as parameters.
//
// Future is move-only and not thread-safe; it belongs to whoever runs it.
// Destroying an unfinished Future destroys its frame (running the
// destructors of the locals in scope at its suspension point).
#ifndef SCHEDULER_FUTURE_H_
#define SCHEDULER_FUTURE_H_

#include <coroutine>
#include <exception>
#include <optional>
#include <source_location>
#include <string>
#include <type_traits>
#include <utility>

#include "scheduler/internal/typed_task_core.h"

namespace scheduler {

template <typename T>
class Future;

namespace internal {

// Types that may appear after `co_await` inside a Future declare
// `using IsSchedulerAwaitable = void;`.
template <typename A>
concept SchedulerAwaitable = requires {
  typename std::remove_cvref_t<A>::IsSchedulerAwaitable;
};

[[noreturn]] void FatalError(const std::string& message);

class FuturePromiseBase {
 public:
  std::suspend_always initial_suspend() noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <typename Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> h) noexcept {
      // Return to the awaiting coroutine; a spawned root has none, and control
      // goes back to the task core, which sees `done()`.
      std::coroutine_handle<> next = h.promise().continuation_;
      return next ? next : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }

  void unhandled_exception() noexcept { error_ = std::current_exception(); }

  // `where` is the `co_await` expression (the compiler's call supplies the
  // default argument there), so an awaitable that can be misused (an empty
  // Task, a Task awaited twice) names the line that misused it.
  template <typename A>
  A&& await_transform(A&& awaitable, std::source_location where = std::source_location::current()) {
    static_assert(SchedulerAwaitable<A>,
                  "scheduler::Future can only co_await Future, Task and this library's awaitables "
                  "(Yield, Timer tasks, channel/oneshot receivers). Other awaitables would resume "
                  "the task behind its scheduler's back.");
    if constexpr (requires { awaitable.CheckAwaitedAt(where); }) awaitable.CheckAwaitedAt(where);
    return std::forward<A>(awaitable);
  }

  std::coroutine_handle<> continuation_;
  std::exception_ptr error_;
};

// Frames come from the per-thread recycling allocator (frame_allocator.h), in
// a block with room for the task core in front (task_block.h): spawning the
// future allocates nothing more.
template <typename T>
class TaskFrameAllocation {
 public:
  static void* operator new(std::size_t size) { return TaskCore<T>::Block::AllocateFrame(size); }
  static void operator delete(void* frame) noexcept { TaskCore<T>::Block::FreeFrame(frame); }
};

template <typename T>
class FuturePromise : public FuturePromiseBase, public TaskFrameAllocation<T> {
 public:
  Future<T> get_return_object() noexcept;

  template <typename U>
  void return_value(U&& value) {
    value_.emplace(std::forward<U>(value));
  }

  // Moves the result out (or rethrows). Valid once, after completion.
  Stored<T> TakeResult() {
    if (error_) std::rethrow_exception(error_);
    return std::move(*value_);
  }

 private:
  std::optional<T> value_;
};

template <>
class FuturePromise<void> : public FuturePromiseBase, public TaskFrameAllocation<void> {
 public:
  Future<void> get_return_object() noexcept;
  void return_void() noexcept {}
  Unit TakeResult() {
    if (error_) std::rethrow_exception(error_);
    return {};
  }
};

}  // namespace internal

template <typename T>
class [[nodiscard]] Future {
  static_assert(!std::is_reference_v<T>, "Future<T&> is not supported; return a value or pointer");

 public:
  using promise_type = internal::FuturePromise<T>;
  using value_type = T;
  using IsSchedulerAwaitable = void;

  Future() = default;
  Future(Future&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Future& operator=(Future&& other) noexcept {
    if (this != &other) {
      Reset();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  Future(const Future&) = delete;
  Future& operator=(const Future&) = delete;
  ~Future() { Reset(); }

  // False for a default-constructed or moved-from Future.
  bool valid() const { return handle_ != nullptr; }

  class Awaiter {
   public:
    explicit Awaiter(std::coroutine_handle<promise_type> h) : handle_(h) {}
    bool await_ready() noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
      handle_.promise().continuation_ = awaiting;
      return handle_;  // start the child inline (symmetric transfer)
    }
    T await_resume() {
      if constexpr (std::is_void_v<T>) {
        handle_.promise().TakeResult();
      } else {
        return handle_.promise().TakeResult();
      }
    }

   private:
    std::coroutine_handle<promise_type> handle_;
  };

  // Runs the future inline and yields its result. Awaiting an empty or
  // already-started Future is a fatal error.
  Awaiter operator co_await() & { return Awaiter(CheckedHandle()); }
  Awaiter operator co_await() && { return Awaiter(CheckedHandle()); }

 private:
  friend promise_type;
  template <typename>
  friend class internal::TaskCore;
  // For the task core: takes the frame out; the Future becomes empty.
  std::coroutine_handle<promise_type> Release() { return std::exchange(handle_, nullptr); }

  explicit Future(std::coroutine_handle<promise_type> h) : handle_(h) {}

  std::coroutine_handle<promise_type> CheckedHandle() const {
    if (handle_ == nullptr) internal::FatalError("co_await on an empty (moved-from) Future");
    if (handle_.promise().continuation_ || handle_.done()) {
      internal::FatalError("co_await on a Future that was already awaited");
    }
    return handle_;
  }

  void Reset() {
    if (handle_) handle_.destroy();
    handle_ = nullptr;
  }

  std::coroutine_handle<promise_type> handle_;
};

namespace internal {

template <typename T>
Future<T> FuturePromise<T>::get_return_object() noexcept {
  return Future<T>(std::coroutine_handle<FuturePromise<T>>::from_promise(*this));
}

inline Future<void> FuturePromise<void>::get_return_object() noexcept {
  return Future<void>(std::coroutine_handle<FuturePromise<void>>::from_promise(*this));
}

template <typename T>
struct IsFutureImpl : std::false_type {};
template <typename T>
struct IsFutureImpl<Future<T>> : std::true_type {};
template <typename T>
concept IsFuture = IsFutureImpl<std::remove_cvref_t<T>>::value;

// A callable with no arguments that returns a Future.
template <typename F>
concept FutureFactory = std::is_invocable_v<F&> && IsFuture<std::invoke_result_t<F&>>;

// Keeps `factory` (and so a lambda's captures) alive inside the frame for as
// long as the future it makes runs.
template <FutureFactory F>
std::invoke_result_t<F&> InvokeKeepingAlive(F factory) {
  co_return co_await factory();
}

}  // namespace internal
}  // namespace scheduler

#endif  // SCHEDULER_FUTURE_H_
