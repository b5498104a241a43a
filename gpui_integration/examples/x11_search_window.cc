#include "gpui_integration/examples/x11_search_window.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

// Last: Xlib defines macros with common names (`Status`, `Bool`, `None`,
// `Success`, ...) that would break the headers above.
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/keysym.h>

namespace gpui_example {
namespace {

constexpr unsigned kWidth = 480;
constexpr unsigned kHeight = 300;
constexpr int kMargin = 12;
// The first of these core fonts the server has (Debian's xfonts-base has them
// all; "fixed" is the one every server has).
constexpr const char* kFonts[] = {"10x20", "9x15", "fixed"};

unsigned long Color(Display* display, const char* name, unsigned long fallback) {
  XColor color;
  XColor exact;
  Colormap colormap = DefaultColormap(display, DefaultScreen(display));
  if (XAllocNamedColor(display, colormap, name, &color, &exact) == 0) return fallback;
  return color.pixel;
}

// Applies an editing key to the field's `text`; whether it changed.
bool Edit(KeySym keysym, bool control, std::string_view chars, std::string& text) {
  if (control) {
    if (keysym != XK_u || text.empty()) return false;
    text.clear();
    return true;
  }
  if (keysym == XK_BackSpace) {
    if (text.empty()) return false;
    text.pop_back();
    return true;
  }
  // Printable ASCII only: the core fonts draw nothing else reliably.
  if (chars.empty() ||
      !std::all_of(chars.begin(), chars.end(), [](char c) { return c >= ' ' && c <= '~'; })) {
    return false;
  }
  text.append(chars);
  return true;
}

}  // namespace

struct X11SearchWindow::Connection {
  Display* display = nullptr;
  Window window = 0;
  GC gc = nullptr;
  XFontStruct* font = nullptr;
  Atom wm_delete_window = 0;
  unsigned long background = 0;
  unsigned long foreground = 0;
  unsigned long dim = 0;     // secondary text
  unsigned long accent = 0;  // the field's frame

  ~Connection() {
    if (display == nullptr) return;
    if (font != nullptr) XFreeFont(display, font);
    if (gc != nullptr) XFreeGC(display, gc);
    if (window != 0) XDestroyWindow(display, window);
    XCloseDisplay(display);
  }
};

absl::StatusOr<std::unique_ptr<X11SearchWindow>> X11SearchWindow::Open(const char* display_name,
                                                                       const std::string& title,
                                                                       Handlers handlers) {
  auto x = std::make_unique<Connection>();
  x->display = XOpenDisplay(display_name);
  if (x->display == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot open X display \"",
                     display_name != nullptr ? display_name : XDisplayName(nullptr), "\""));
  }
  Display* d = x->display;
  const int screen = DefaultScreen(d);
  x->background = WhitePixel(d, screen);
  x->foreground = BlackPixel(d, screen);
  x->dim = Color(d, "gray40", x->foreground);
  x->accent = Color(d, "steel blue", x->foreground);
  x->window = XCreateSimpleWindow(d, RootWindow(d, screen), 0, 0, kWidth, kHeight, 0, x->foreground,
                                  x->background);
  XStoreName(d, x->window, title.c_str());
  x->wm_delete_window = XInternAtom(d, "WM_DELETE_WINDOW", False);
  XSetWMProtocols(d, x->window, &x->wm_delete_window, 1);
  XSelectInput(d, x->window, ExposureMask | KeyPressMask | StructureNotifyMask);
  for (const char* name : kFonts) {
    x->font = XLoadQueryFont(d, name);
    if (x->font != nullptr) break;
  }
  if (x->font == nullptr) return absl::UnavailableError("the X server has no \"fixed\" font");
  x->gc = XCreateGC(d, x->window, 0, nullptr);
  XSetFont(d, x->gc, x->font->fid);
  XMapWindow(d, x->window);
  XFlush(d);
  return std::unique_ptr<X11SearchWindow>(new X11SearchWindow(std::move(x), std::move(handlers)));
}

X11SearchWindow::X11SearchWindow(std::unique_ptr<Connection> connection, Handlers handlers)
    : x_(std::move(connection)), handlers_(std::move(handlers)) {}

X11SearchWindow::~X11SearchWindow() = default;

int X11SearchWindow::fd() const { return ConnectionNumber(x_->display); }

uint64_t X11SearchWindow::window_id() const { return x_->window; }

void X11SearchWindow::DispatchEvents() {
  if (dispatching_) return;  // the outer loop below picks up what has arrived
  dispatching_ = true;
  // XPending reads what the socket has into Xlib's queue, without blocking.
  while (XPending(x_->display) > 0) {
    XEvent event;
    XNextEvent(x_->display, &event);
    switch (event.type) {
      case Expose:
        if (event.xexpose.count > 0) break;  // more of the same exposure follows
        Redraw();
        if (!ready_) {
          ready_ = true;
          // No window manager is required: the window takes the focus itself,
          // so keys typed on the display (xdotool's XTEST) come here. XSync:
          // the server has drawn and moved the focus before `on_ready` runs.
          XSetInputFocus(x_->display, x_->window, RevertToParent, CurrentTime);
          XSync(x_->display, False);
          if (handlers_.on_ready) handlers_.on_ready();
        }
        break;
      case KeyPress: {
        char chars[16];
        KeySym keysym = NoSymbol;
        const int n = XLookupString(&event.xkey, chars, sizeof(chars), &keysym, nullptr);
        HandleKey(keysym, (event.xkey.state & ControlMask) != 0,
                  std::string_view(chars, std::max(n, 0)));
        break;
      }
      case ClientMessage:
        if (static_cast<Atom>(event.xclient.data.l[0]) == x_->wm_delete_window &&
            handlers_.on_close) {
          handlers_.on_close();
        }
        break;
      default:
        break;
    }
  }
  dispatching_ = false;
}

void X11SearchWindow::HandleKey(uint64_t keysym, bool control, std::string_view chars) {
  if (keysym == XK_Return || keysym == XK_KP_Enter) {
    if (handlers_.on_submit) handlers_.on_submit();
  } else if (keysym == XK_Escape) {
    if (handlers_.on_close) handlers_.on_close();
  } else if (Edit(keysym, control, chars, text_)) {
    Redraw();
    XFlush(x_->display);
    if (handlers_.on_edit) handlers_.on_edit(text_);
  }
}

void X11SearchWindow::ShowResults(const std::string& query, const SearchResults& results) {
  shown_query_ = query;
  results_ = results;
  Redraw();
  // The round trip may read events into Xlib's queue, where the socket no
  // longer announces them: handle them now.
  XSync(x_->display, False);
  DispatchEvents();
}

void X11SearchWindow::Redraw() {
  Display* d = x_->display;
  GC gc = x_->gc;
  const int line = x_->font->ascent + x_->font->descent + 4;
  auto text = [&](int x, int y, unsigned long color, const std::string& s) {
    XSetForeground(d, gc, color);
    XDrawString(d, x_->window, gc, x, y, s.data(), static_cast<int>(s.size()));
  };

  XSetForeground(d, gc, x_->background);
  XFillRectangle(d, x_->window, gc, 0, 0, kWidth, kHeight);

  // The field: a frame with the text and a caret.
  const int field_height = line + 8;
  XSetForeground(d, gc, x_->accent);
  XDrawRectangle(d, x_->window, gc, kMargin, kMargin, kWidth - 2 * kMargin, field_height);
  const int baseline = kMargin + 4 + x_->font->ascent + 2;
  text(kMargin + 8, baseline, x_->foreground, text_ + "_");

  int y = kMargin + field_height + line + 6;
  if (results_.empty() && shown_query_.empty()) {
    text(kMargin, y, x_->dim, "Type to search.");
    return;
  }
  text(kMargin, y, x_->dim,
       absl::StrCat(results_.size(), results_.size() == 1 ? " result" : " results", " for \"",
                    shown_query_, "\""));
  for (const std::string& word : results_) {
    y += line;
    if (y > static_cast<int>(kHeight) - kMargin) break;
    text(kMargin + 16, y, x_->foreground, word);
  }
}

}  // namespace gpui_example
