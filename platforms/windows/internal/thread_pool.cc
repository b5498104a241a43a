#include "platforms/windows/internal/thread_pool.h"

#include <string>
#include <thread>
#include <utility>

#include "scheduler/future.h"

namespace scheduler::windows_internal {
namespace {

thread_local const ThreadPool* tls_current_pool = nullptr;

[[noreturn]] void Win32Failure(const char* call) {
  internal::FatalError(std::string("WindowsDispatcher: ") + call + " failed with error " +
                       std::to_string(GetLastError()));
}

struct AsyncClose {
  std::shared_ptr<ThreadPool> pool;
  std::shared_ptr<void> keep_alive;
};

void CALLBACK RunAsyncClose(PTP_CALLBACK_INSTANCE, void* context) {
  std::unique_ptr<AsyncClose> close(static_cast<AsyncClose*>(context));
  close->pool->Close();
}

}  // namespace

std::shared_ptr<ThreadPool> ThreadPool::Create(int max_threads) {
  std::shared_ptr<ThreadPool> pool(new ThreadPool());
  InitializeThreadpoolEnvironment(&pool->environment_);
  pool->pool_ = CreateThreadpool(nullptr);
  if (pool->pool_ == nullptr) Win32Failure("CreateThreadpool");
  SetThreadpoolThreadMaximum(pool->pool_, static_cast<DWORD>(max_threads));
  if (!SetThreadpoolThreadMinimum(pool->pool_, 1)) Win32Failure("SetThreadpoolThreadMinimum");
  pool->group_ = CreateThreadpoolCleanupGroup();
  if (pool->group_ == nullptr) Win32Failure("CreateThreadpoolCleanupGroup");
  SetThreadpoolCallbackPool(&pool->environment_, pool->pool_);
  // No cancel callback: the dispatcher owns its runnables in its own queues
  // and frees them itself, so nothing is attached to the callback objects.
  SetThreadpoolCallbackCleanupGroup(&pool->environment_, pool->group_, nullptr);
  return pool;
}

ThreadPool::~ThreadPool() { Close(); }

ThreadPool::CallbackScope::CallbackScope(const ThreadPool* pool) : previous_(tls_current_pool) {
  tls_current_pool = pool;
}

ThreadPool::CallbackScope::~CallbackScope() { tls_current_pool = previous_; }

bool ThreadPool::IsCallbackThread() const { return tls_current_pool == this; }

void ThreadPool::Close() {
  if (closed_) return;
  closed_ = true;
  if (group_ != nullptr) {
    // TRUE: callbacks that are queued but not started never run. Returns once
    // the running ones have returned, so nothing uses the objects afterwards.
    CloseThreadpoolCleanupGroupMembers(group_, TRUE, nullptr);
    CloseThreadpoolCleanupGroup(group_);
  }
  if (pool_ != nullptr) CloseThreadpool(pool_);
  DestroyThreadpoolEnvironment(&environment_);
}

void ThreadPool::CloseAsync(std::shared_ptr<ThreadPool> pool, std::shared_ptr<void> keep_alive) {
  auto close = std::make_unique<AsyncClose>(AsyncClose{std::move(pool), std::move(keep_alive)});
  // nullptr environment: the process's default pool, never the pool being
  // closed (whose threads may all be waited for).
  if (TrySubmitThreadpoolCallback(&RunAsyncClose, close.get(), nullptr)) {
    close.release();
    return;
  }
  // The default pool refused (out of resources): a plain thread does the same.
  std::thread([close = std::move(close)] { close->pool->Close(); }).detach();
}

}  // namespace scheduler::windows_internal
