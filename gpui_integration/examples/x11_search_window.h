// X11SearchWindow: the SearchBox example's view, a plain Xlib window.
//
// A text field at the top and the shown results below it, drawn with the X
// server's core fonts. The window owns the field's text: printable ASCII keys
// append to it, BackSpace erases a character and Ctrl+U the whole field (as in
// a terminal); Enter submits; Escape, or the window
// manager's close button, asks to close. The owner hears of each through
// `Handlers` and answers with `ShowResults`.
//
// It never waits for events itself, so it can live inside any main loop: the
// owner watches `fd()` (the X connection's socket) and calls
// `DispatchEvents()` whenever it is readable. `DispatchEvents` also drains
// what Xlib has already read into its own queue, and every other method
// leaves that queue empty when it returns: input never waits in Xlib's queue
// while the socket looks idle.
//
//   auto window = X11SearchWindow::Open(nullptr, "Search box", {
//       .on_edit = [&](const std::string& text) { box.OnKeystroke(text); },
//       .on_submit = [&] { box.Submit(); },
//       .on_close = [&] { app.Quit(); }});
//   // ... when (*window)->fd() is readable: (*window)->DispatchEvents();
//
// Threading: not thread-safe. Every call, and destruction, on the thread that
// opened it. Handlers run inside `DispatchEvents` (and inside `ShowResults`,
// which dispatches events that arrived while it drew); they may call
// `ShowResults`, but must not destroy the window.
#ifndef GPUI_INTEGRATION_EXAMPLES_X11_SEARCH_WINDOW_H_
#define GPUI_INTEGRATION_EXAMPLES_X11_SEARCH_WINDOW_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "gpui_integration/examples/search_box.h"

namespace gpui_example {

class X11SearchWindow {
 public:
  struct Handlers {
    // The field's text after a keystroke changed it.
    std::function<void(const std::string& text)> on_edit;
    // Enter.
    std::function<void()> on_submit;
    // Escape, or the window manager's close button. The window stays open
    // until destroyed.
    std::function<void()> on_close;
    // Once, when the window is first on screen, drawn and has the keyboard
    // focus: from then on, keystrokes sent to the display reach it.
    std::function<void()> on_ready;
  };

  // Connects to `display_name` (nullptr: $DISPLAY), creates the window with
  // `title` and maps it. Unavailable if the display cannot be reached.
  static absl::StatusOr<std::unique_ptr<X11SearchWindow>> Open(const char* display_name,
                                                               const std::string& title,
                                                               Handlers handlers);
  // Destroys the window and closes the connection.
  ~X11SearchWindow();
  X11SearchWindow(const X11SearchWindow&) = delete;
  X11SearchWindow& operator=(const X11SearchWindow&) = delete;

  // The X connection's file descriptor: readable when events have arrived.
  int fd() const;
  // The X window id (what `xdotool` and `xwd -id` take).
  uint64_t window_id() const;

  // Handles every event that has arrived, without blocking.
  void DispatchEvents();

  // Shows `results` as the answer to `query` and redraws. Returns once the
  // server has drawn them (a round trip), so a screenshot taken afterwards
  // shows them.
  void ShowResults(const std::string& query, const SearchResults& results);

 private:
  struct Connection;  // the Xlib state; Xlib's headers stay out of this one
  X11SearchWindow(std::unique_ptr<Connection> connection, Handlers handlers);

  // `keysym` is an X KeySym; `chars` what the key types, if anything.
  void HandleKey(uint64_t keysym, bool control, std::string_view chars);
  void Redraw();

  std::unique_ptr<Connection> x_;
  Handlers handlers_;
  std::string text_;
  std::string shown_query_;
  SearchResults results_;
  bool ready_ = false;
  bool dispatching_ = false;
};

}  // namespace gpui_example

#endif  // GPUI_INTEGRATION_EXAMPLES_X11_SEARCH_WINDOW_H_
