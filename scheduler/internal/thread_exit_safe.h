// Internal: a per-thread object that code running during thread exit can ask
// for and be told "gone" instead of touching a destroyed object.
//
// Frees and reference drops happen in other thread_local destructors, in an
// order C++ does not specify relative to ours. `ThreadExitSafe<T>::Get()`
// returns the calling thread's T (made on first use), or nullptr once that T
// has started to be destroyed; callers then fall back to a shared path. The
// check is two trivially destructible thread_locals, so it stays valid
// throughout thread exit.
#ifndef SCHEDULER_INTERNAL_THREAD_EXIT_SAFE_H_
#define SCHEDULER_INTERNAL_THREAD_EXIT_SAFE_H_

namespace scheduler::internal {

template <typename T>
class ThreadExitSafe {
 public:
  static T* Get() {
    if (current_ != nullptr) return current_;
    if (destroyed_) return nullptr;
    thread_local Holder holder;
    return &holder.value;
  }

 private:
  struct Holder {
    Holder() { current_ = &value; }
    // Runs before `value`'s destructor: while T tears down (and after),
    // Get() already answers nullptr.
    ~Holder() {
      current_ = nullptr;
      destroyed_ = true;
    }
    T value;
  };

  static thread_local T* current_;
  static thread_local bool destroyed_;
};

template <typename T>
thread_local T* ThreadExitSafe<T>::current_ = nullptr;
template <typename T>
thread_local bool ThreadExitSafe<T>::destroyed_ = false;

}  // namespace scheduler::internal

#endif  // SCHEDULER_INTERNAL_THREAD_EXIT_SAFE_H_
