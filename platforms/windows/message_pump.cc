#include "platforms/windows/message_pump.h"

#include <string>
#include <thread>
#include <utility>

#include "platforms/internal/main_loop_source.h"
#include "platforms/windows/internal/message_pump_waiter.h"
#include "scheduler/internal/task_core.h"
#include "scheduler/task_metadata.h"

namespace scheduler {
namespace {

using windows_internal::MessagePumpWaiter;

std::string Where(std::source_location location) { return " at " + FormatLocation(location); }

constexpr char kNotAPump[] = "is not a message pump (only the Windows dispatcher's is)";

}  // namespace

struct MessageFilter::State {
  std::shared_ptr<MessagePumpWaiter> waiter;
  std::shared_ptr<windows_internal::MessageFilterEntry> entry;
  std::thread::id main_thread;
  std::source_location location;
};

MessageFilter::MessageFilter(std::unique_ptr<State> state) : state_(std::move(state)) {}

MessageFilter::MessageFilter(MessageFilter&& other) noexcept = default;

MessageFilter::~MessageFilter() { Reset(); }

MessageFilter& MessageFilter::operator=(MessageFilter&& other) noexcept {
  if (this != &other) {
    Reset();
    state_ = std::move(other.state_);
  }
  return *this;
}

void MessageFilter::Reset() {
  if (state_ == nullptr) return;
  if (std::this_thread::get_id() != state_->main_thread) {
    internal::FatalError("scheduler: MessageFilter (made by FilterMessages" +
                         Where(state_->location) +
                         ") destroyed or reset off the main thread: its filter runs on the main "
                         "thread, which could be calling it right now; destroy filters on the "
                         "main thread");
  }
  // The pump of the current turn may hold the filter still: it checks this
  // flag before calling it.
  state_->entry->removed = true;
  state_->waiter->RemoveFilter(state_->entry.get());
  state_.reset();
}

MessageFilter FilterMessages(PlatformDispatcher& dispatcher,
                             std::function<bool(const tagMSG&)> filter,
                             std::source_location location) {
  std::shared_ptr<MessagePumpWaiter> waiter =
      platform_internal::RegisteringLoopWaiterAs<MessagePumpWaiter>(
          dispatcher, {
                          .what = "FilterMessages",
                          .where = location,
                          .main_thread_only = "message filters belong to the main thread, whose "
                                              "messages they see",
                          .wrong_loop = kNotAPump,
                      });
  auto state = std::make_unique<MessageFilter::State>();
  state->waiter = std::move(waiter);
  state->entry = std::make_shared<windows_internal::MessageFilterEntry>(
      windows_internal::MessageFilterEntry{.filter = std::move(filter)});
  state->main_thread = std::this_thread::get_id();
  state->location = location;
  state->waiter->AddFilter(state->entry);
  return MessageFilter(std::move(state));
}

HandleSignal::HandleSignal(void* handle, std::source_location location) : location_(location) {
  interest_.handle = handle;
}

HandleSignal::~HandleSignal() {
  if (waiter_ != nullptr) waiter_->Remove(&interest_);
}

bool HandleSignal::await_suspend(std::coroutine_handle<> h) {
  std::shared_ptr<MessagePumpWaiter> waiter =
      platform_internal::AwaitingLoopWaiterAs<MessagePumpWaiter>({
          .what = "co_await Signaled(handle)",
          .where = location_,
          .main_thread_only = "a handle",
          .wrong_loop = kNotAPump,
      });
  interest_.waker = internal::SuspendCurrentTask(h, location_);
  waiter_ = std::move(waiter);
  waiter_->Add(&interest_, location_);
  return true;
}

HandleSignal Signaled(void* handle, std::source_location location) {
  return HandleSignal(handle, location);
}

}  // namespace scheduler
