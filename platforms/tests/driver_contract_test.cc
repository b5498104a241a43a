// The scheduler contract suite run against Block's driver
// (scheduler/internal/driver_scheduler.h) over the production dispatcher: the
// test's thread drives it the way a blocking thread does (run what is
// pending, else park until poked), timers come from the real dispatcher.
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "platforms/platform_dispatcher.h"
#include "platforms/tests/platform_dispatcher_harness.h"
#include "platforms/tests/scheduler_contract.h"
#include "platforms/tests/scheduler_harness.h"
#include "scheduler/internal/driver_scheduler.h"

namespace scheduler {
namespace {

class DriverHarness final : public SchedulerHarness {
 public:
  DriverHarness()
      : inner_(MakePlatformDispatcherHarness(CreatePlatformDispatcher())),
        driver_(std::make_shared<internal::DriverScheduler>(inner_->scheduler())) {}

  ~DriverHarness() override { Shutdown(); }

  std::shared_ptr<Scheduler> scheduler() const override { return driver_; }
  bool runs_background_on_other_threads() const override { return false; }
  bool runs_only_while_driven() const override { return true; }

  bool DriveUntilDone(Duration limit) override {
    const Instant deadline = SaturatingAdd(driver_->Now(), limit);
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = false;
      unparker_ = driver_->GetUnparker();
      driver_->DriveFromThread(unparker_);
    }
    bool done = false;
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        done = done_;
      }
      if (done) break;
      if (driver_->RunPending()) continue;
      const Duration remaining = deadline - driver_->Now();
      if (remaining <= Duration::zero()) break;
      driver_->Park(remaining);
    }
    driver_->StopDrivingFromThread();
    return done;
  }

  void Done() override {
    Unparker unparker;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
      unparker = unparker_;
    }
    unparker.Unpark();
  }

  void Shutdown() override {
    driver_->Close();
    inner_->Shutdown();
  }

  void CaptureUnhandledExceptions(std::function<void(const std::string&)> sink) override {
    inner_->CaptureUnhandledExceptions(std::move(sink));
  }

 private:
  const std::unique_ptr<SchedulerHarness> inner_;
  const std::shared_ptr<internal::DriverScheduler> driver_;
  std::mutex mu_;
  bool done_ = false;
  Unparker unparker_;
};

INSTANTIATE_TEST_SUITE_P(Driver, SchedulerContractTest,
                         testing::Values(HarnessFactory{
                             "OverPlatformDispatcher",
                             [] { return std::make_unique<DriverHarness>(); }}),
                         HarnessFactoryName);

}  // namespace
}  // namespace scheduler
