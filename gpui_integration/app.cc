#include "gpui_integration/app.h"

namespace gpui {

App::App(scheduler::PlatformDispatcherOptions options, std::source_location location)
    : dispatcher_(scheduler::CreatePlatformDispatcher(options)),
      background_(dispatcher_),
      foreground_(dispatcher_, location) {}

App::~App() { dispatcher_->Shutdown(); }

void App::Run() { dispatcher_->RunMainLoop(); }

void App::Quit() const { dispatcher_->QuitMainLoop(); }

}  // namespace gpui
