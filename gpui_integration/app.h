// App: the production wiring of GPUI's executors.
//
// Creates this OS's platform dispatcher and the two executors over it, on the
// calling thread, which becomes the main (UI) thread:
//
//   int main() {
//     gpui::App app;
//     app.foreground().Spawn(RunUi(app)).Detach();
//     app.Run();          // runs foreground work until app.Quit()
//   }                     // ~App shuts the dispatcher down
//
// Tests do not use App: they build the executors over a TestScheduler.
//
// Thread-safety: `Quit` and `background()` may be used from any thread; the
// rest (and destruction) belong to the main thread. Destroying the App shuts
// the dispatcher down: pending tasks are cancelled and the workers joined.
#ifndef GPUI_INTEGRATION_APP_H_
#define GPUI_INTEGRATION_APP_H_

#include <memory>
#include <source_location>

#include "gpui_integration/background_executor.h"
#include "gpui_integration/foreground_executor.h"
#include "platforms/platform_dispatcher.h"

namespace gpui {

class App {
 public:
  explicit App(scheduler::PlatformDispatcherOptions options = {},
               std::source_location location = std::source_location::current());
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  const BackgroundExecutor& background() const { return background_; }
  const ForegroundExecutor& foreground() const { return foreground_; }

  // Runs foreground tasks on the calling (main) thread until `Quit()`.
  void Run();
  // Makes `Run` return after the current foreground step. Thread-safe; a quit
  // before `Run` is kept.
  void Quit() const;

  scheduler::PlatformDispatcher& dispatcher() const { return *dispatcher_; }

 private:
  std::shared_ptr<scheduler::PlatformDispatcher> dispatcher_;
  BackgroundExecutor background_;
  ForegroundExecutor foreground_;
};

}  // namespace gpui

#endif  // GPUI_INTEGRATION_APP_H_
