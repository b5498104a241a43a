#include "platforms/tests/test_scheduler_harness.h"

#include <atomic>
#include <stdexcept>
#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

// Thrown by `on_failure` for an unhandled exception report; it unwinds out of
// TestScheduler::Tick (between steps, where that is allowed) to the driver.
struct UnhandledReport {
  std::string report;
};

constexpr char kUnhandledPrefix[] = "TestScheduler failure: Unhandled exception in detached";

class TestSchedulerHarness final : public SchedulerHarness {
 public:
  explicit TestSchedulerHarness(uint64_t seed)
      : scheduler_(TestScheduler::Create({
            .seed = seed,
            .on_failure =
                [](const std::string& report) {
                  if (report.rfind(kUnhandledPrefix, 0) == 0) throw UnhandledReport{report};
                  ADD_FAILURE() << report;
                  throw std::runtime_error(report);
                },
        })) {}

  ~TestSchedulerHarness() override { scheduler_->Shutdown(); }

  std::shared_ptr<Scheduler> scheduler() const override { return scheduler_; }
  bool runs_background_on_other_threads() const override { return false; }
  bool shutdown_cancels_detached_tasks() const override { return true; }

  bool DriveUntilDone(Duration) override {
    done_.store(false);
    // The fake clock makes a real-time limit meaningless; a step budget
    // catches a body that never finishes while tasks stay runnable.
    for (int64_t steps = 0; steps < kMaxSteps; ++steps) {
      if (done_.load()) return true;
      try {
        if (scheduler_->Tick()) continue;
        if (!scheduler_->AdvanceClockToNextTimer()) return done_.load();
      } catch (const UnhandledReport& unhandled) {
        if (sink_) {
          sink_(unhandled.report);
        } else {
          ADD_FAILURE() << unhandled.report;
        }
      }
    }
    return done_.load();
  }

  void Done() override { done_.store(true); }
  void Shutdown() override { scheduler_->Shutdown(); }

  void CaptureUnhandledExceptions(std::function<void(const std::string&)> sink) override {
    sink_ = std::move(sink);
  }

 private:
  static constexpr int64_t kMaxSteps = 50'000'000;

  const std::shared_ptr<TestScheduler> scheduler_;
  std::atomic<bool> done_{false};
  std::function<void(const std::string&)> sink_;
};

}  // namespace

std::unique_ptr<SchedulerHarness> MakeTestSchedulerHarness(uint64_t seed) {
  return std::make_unique<TestSchedulerHarness>(seed);
}

}  // namespace scheduler
