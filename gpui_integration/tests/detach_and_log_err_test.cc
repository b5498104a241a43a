// DetachAndLogErr: non-OK results reach the logger with both locations; OK
// results, cancelled tasks and restored loggers behave.
#include "gpui_integration/detach_and_log_err.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gpui_integration/background_executor.h"
#include "gpui_integration/foreground_executor.h"
#include "gtest/gtest.h"
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"

namespace gpui {
namespace {

using scheduler::Future;
using scheduler::Task;
using scheduler::TestScheduler;
using ::testing::HasSubstr;

class DetachAndLogErrTest : public ::testing::Test {
 protected:
  std::vector<TaskError> errors_;
  ScopedTaskErrorLogger logger_{[this](const TaskError& e) { errors_.push_back(e); }};
};

TEST_F(DetachAndLogErrTest, LogsAFailedStatusWithSpawnAndDetachLocations) {
  auto scheduler = TestScheduler::Create({.seed = 3});
  BackgroundExecutor background(scheduler);
  Task<absl::Status> task = background.Spawn([]() -> Future<absl::Status> {
    co_await scheduler::Yield();
    co_return absl::NotFoundError("no such file");
  });
  const scheduler::TaskId id = task.id();
  const int spawn_line = __LINE__ - 5;
  background.DetachAndLogErr(std::move(task));
  const int detach_line = __LINE__ - 1;
  EXPECT_TRUE(errors_.empty()) << "nothing is logged before the task finishes";
  background.RunUntilParked();
  ASSERT_EQ(errors_.size(), 1u);
  const TaskError& error = errors_[0];
  EXPECT_EQ(error.status, absl::NotFoundError("no such file"));
  EXPECT_EQ(error.task, id);
  EXPECT_EQ(static_cast<int>(error.spawned_at.line()), spawn_line);
  EXPECT_EQ(static_cast<int>(error.detached_at.line()), detach_line);
  EXPECT_THAT(error.spawned_at.file_name(), HasSubstr("detach_and_log_err_test.cc"));
  const std::string line = FormatTaskError(error);
  EXPECT_THAT(line, HasSubstr("detach_and_log_err_test.cc:" + std::to_string(spawn_line)));
  EXPECT_THAT(line, HasSubstr("detached at"));
  EXPECT_THAT(line, HasSubstr("NOT_FOUND: no such file"));
}

TEST_F(DetachAndLogErrTest, OkResultsAreNotLogged) {
  auto scheduler = TestScheduler::Create();
  BackgroundExecutor background(scheduler);
  bool ran = false;
  background.DetachAndLogErr(background.Spawn([&]() -> Future<absl::Status> {
    ran = true;
    co_return absl::OkStatus();
  }));
  background.DetachAndLogErr(
      background.Spawn([]() -> Future<absl::StatusOr<int>> { co_return 5; }));
  background.RunUntilParked();
  EXPECT_TRUE(ran) << "a detached task still runs to completion";
  EXPECT_TRUE(errors_.empty());
}

TEST_F(DetachAndLogErrTest, StatusOrErrorsAreLogged) {
  auto scheduler = TestScheduler::Create();
  BackgroundExecutor background(scheduler);
  background.DetachAndLogErr(background.Spawn([]() -> Future<absl::StatusOr<std::string>> {
    co_return absl::DeadlineExceededError("slow server");
  }));
  background.RunUntilParked();
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0].status.code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(DetachAndLogErrTest, ForegroundVersionLogsOnTheMainThread) {
  auto scheduler = TestScheduler::Create();
  ForegroundExecutor foreground(scheduler);
  bool logged_on_main = false;
  ScopedTaskErrorLogger main_thread_logger([&](const TaskError& e) {
    logged_on_main = foreground.IsMainThread();
    errors_.push_back(e);
  });
  foreground.DetachAndLogErr(foreground.Spawn(
      []() -> Future<absl::Status> { co_return absl::PermissionDeniedError("read-only"); }));
  foreground.RunUntilParked();
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_TRUE(logged_on_main);
}

// The watched task lives on a scheduler that shuts down, the watcher on one
// that keeps running: the watcher sees the cancellation and stays quiet
// (rethrowing it would reach the unhandled-exception handler and abort).
TEST_F(DetachAndLogErrTest, ATaskCancelledByShutdownIsNotAnError) {
  auto doomed = TestScheduler::Create();
  auto surviving = TestScheduler::Create();
  BackgroundExecutor doomed_background(doomed);
  BackgroundExecutor background(surviving);
  background.DetachAndLogErr(doomed_background.Spawn([&]() -> Future<absl::Status> {
    co_await doomed_background.Timer(std::chrono::hours(1));
    co_return absl::InternalError("never reached");
  }));
  doomed->RunUntilParked();
  background.RunUntilParked();
  ASSERT_GT(surviving->PendingTasks().size(), 0u) << "the watcher waits";
  doomed->Shutdown();
  background.RunUntilParked();
  EXPECT_EQ(surviving->PendingTasks().size(), 0u) << "the watcher finished";
  EXPECT_TRUE(errors_.empty());
}

TEST_F(DetachAndLogErrTest, AnExceptionGoesToTheUnhandledExceptionHandler) {
  std::string report;
  auto scheduler = TestScheduler::Create(
      {.on_failure = [&](const std::string& r) { throw std::runtime_error(r); }});
  BackgroundExecutor background(scheduler);
  background.DetachAndLogErr(background.Spawn([]() -> Future<absl::Status> {
    throw std::logic_error("bug in the task");
    co_return absl::OkStatus();
  }));
  try {
    background.RunUntilParked();
    scheduler->CheckFailures();
  } catch (const std::runtime_error& e) {
    report = e.what();
  }
  EXPECT_THAT(report, HasSubstr("bug in the task"));
  EXPECT_TRUE(errors_.empty());
}

TEST(TaskErrorLoggerTest, DefaultLoggerWritesOneLineToStderrAndScopedLoggersRestore) {
  std::vector<std::string> outer;
  ScopedTaskErrorLogger outer_logger(
      [&](const TaskError& e) { outer.push_back(e.status.ToString()); });
  {
    ScopedTaskErrorLogger inner([](const TaskError&) {});
    LogTaskError({absl::UnknownError("to inner"), scheduler::TaskId(1), {}, {}});
  }
  LogTaskError({absl::UnknownError("to outer"), scheduler::TaskId(1), {}, {}});
  EXPECT_EQ(outer, std::vector<std::string>{"UNKNOWN: to outer"});

  ScopedTaskErrorLogger default_logger{TaskErrorLogger()};
  ::testing::internal::CaptureStderr();
  LogTaskError({absl::AbortedError("to stderr"), scheduler::TaskId(7), {}, {}});
  const std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(printed, HasSubstr("gpui: task#7 spawned at"));
  EXPECT_THAT(printed, HasSubstr("ABORTED: to stderr\n"));
}

}  // namespace
}  // namespace gpui
