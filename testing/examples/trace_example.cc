// Writes the execution trace of a small, typical run: the picture in the
// README (docs/trace_timeline.svg) comes from here.
//
//   bazel run //testing:trace_example -- /tmp/example
//   -> /tmp/example.trace.json (open in ui.perfetto.dev), .svg, .html
#include <cstdio>
#include <string>
#include <vector>

#include "executor/executor.h"
#include "scheduler/channel.h"
#include "scheduler/yield.h"
#include "testing/test_scheduler.h"

namespace scheduler {
namespace {

Future<void> Fetch(Executor executor, Sender<std::string> reply) {
  co_await Yield();
  co_await executor.Timer(std::chrono::milliseconds(20));  // the "network"
  (void)reply.Send("document");
}

Future<void> Render(Receiver<std::string> reply) {
  std::optional<std::string> document = co_await reply.Recv();
  for (int frame = 0; frame < 3; ++frame) co_await Yield();
  (void)document;
}

Future<void> Keystrokes(int count) {
  for (int i = 0; i < count; ++i) co_await Yield();
}

Future<void> Autosave(Executor executor) {
  for (int i = 0; i < 3; ++i) co_await executor.Timer(std::chrono::milliseconds(15));
}

Future<void> Index() {
  for (int i = 0; i < 3; ++i) co_await Yield();
}

int Main(const std::string& prefix) {
  auto scheduler = TestScheduler::Create({.seed = 7, .record_trace = true});
  Executor background(scheduler);
  ForegroundExecutor ui(scheduler);
  ForegroundExecutor editor(scheduler);
  const TaskLabel indexing = TaskLabel::New();
  scheduler->Deprioritize(indexing);
  std::vector<Task<void>> tasks;
  auto [tx, rx] = MakeChannel<std::string>();
  tasks.push_back(background.Spawn(Fetch(background, std::move(tx))));
  tasks.push_back(ui.Spawn(Render(std::move(rx))));
  for (int i = 0; i < 3; ++i) tasks.push_back(editor.Spawn(Keystrokes(2)));
  tasks.push_back(background.SpawnLabeled(indexing, Index()));
  tasks.push_back(background.Spawn(Autosave(background)));
  scheduler->RunUntilParked();
  scheduler->AdvanceClock(std::chrono::milliseconds(50));
  const absl::Status status = scheduler->WriteTrace(prefix);
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    return 1;
  }
  std::printf("wrote %s.trace.json, .svg and .html (%llu steps, trace hash %llx)\n", prefix.c_str(),
              static_cast<unsigned long long>(scheduler->steps()),
              static_cast<unsigned long long>(scheduler->trace_hash()));
  return 0;
}

}  // namespace
}  // namespace scheduler

int main(int argc, char** argv) {
  return scheduler::Main(argc > 1 ? argv[1] : "/tmp/trace_example");
}
