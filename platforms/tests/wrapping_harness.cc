#include "platforms/tests/wrapping_harness.h"

#include <string>
#include <utility>

namespace scheduler {
namespace {

class WrappingHarness final : public SchedulerHarness {
 public:
  WrappingHarness(std::unique_ptr<SchedulerHarness> inner, Wrapped wrapped)
      : inner_(std::move(inner)), wrapped_(std::move(wrapped)) {}

  // The wrapper first: it may hold Runnables the inner scheduler would
  // otherwise run after the test is over.
  ~WrappingHarness() override { Shutdown(); }

  std::shared_ptr<Scheduler> scheduler() const override { return wrapped_.scheduler; }
  bool runs_background_on_other_threads() const override {
    return inner_->runs_background_on_other_threads();
  }
  bool runs_foreground_on_main_thread() const override {
    return wrapped_.runs_foreground_on_main_thread && inner_->runs_foreground_on_main_thread();
  }
  bool DriveUntilDone(Duration limit) override { return inner_->DriveUntilDone(limit); }
  void Done() override { inner_->Done(); }
  void Shutdown() override {
    wrapped_.shutdown();
    inner_->Shutdown();
  }
  void CaptureUnhandledExceptions(std::function<void(const std::string&)> sink) override {
    inner_->CaptureUnhandledExceptions(std::move(sink));
  }

 private:
  const std::unique_ptr<SchedulerHarness> inner_;
  const Wrapped wrapped_;
};

}  // namespace

std::unique_ptr<SchedulerHarness> MakeWrappingHarness(
    std::unique_ptr<SchedulerHarness> inner,
    const std::function<Wrapped(const std::shared_ptr<Scheduler>&)>& wrap) {
  Wrapped wrapped = wrap(inner->scheduler());
  return std::make_unique<WrappingHarness>(std::move(inner), std::move(wrapped));
}

}  // namespace scheduler
