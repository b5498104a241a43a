#include "testing/trace_export.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "scheduler/internal/json_escape.h"

namespace scheduler {
namespace {

// One row (lane) per task, in task id order.
struct Lane {
  uint64_t task = 0;
  std::string where;  // basename:line of the spawn site
  std::string full_where;
  std::optional<TaskLabel> label;
  int session_index = 0;  // 0 = background, k = k-th session seen
};

struct Layout {
  std::map<uint64_t, Lane> lanes;  // by task id
  int sessions = 0;
  uint64_t steps = 0;
};

std::string_view Basename(const char* path) {
  std::string_view p(path);
  const size_t slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

Layout MakeLayout(const ExecutionTrace& trace) {
  Layout layout;
  std::map<uint64_t, int> session_index;  // session id -> order of appearance
  for (const TraceEvent& e : trace.events()) {
    if (e.kind == TraceEvent::Kind::kStep) layout.steps = std::max(layout.steps, e.step);
    auto [it, inserted] = layout.lanes.try_emplace(e.task.value());
    if (!inserted) continue;
    Lane& lane = it->second;
    lane.task = e.task.value();
    lane.where =
        absl::StrCat(std::string(Basename(e.location.file_name())), ":", e.location.line());
    lane.full_where =
        absl::StrCat(e.location.file_name(), ":", e.location.line(), ":", e.location.column());
    lane.label = e.label;
    if (e.session) {
      auto [s, fresh] = session_index.try_emplace(e.session->value(), layout.sessions + 1);
      if (fresh) ++layout.sessions;
      lane.session_index = s->second;
    }
  }
  return layout;
}

double Millis(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string LaneName(const Lane& lane) {
  std::string name = absl::StrCat("task#", lane.task, " ", lane.where);
  if (lane.label) absl::StrAppend(&name, " [label#", lane.label->value(), "]");
  return name;
}

const char* LaneColor(const Lane& lane) {
  static constexpr const char* kSessionColors[] = {"#f28e2b", "#59a14f", "#e15759",
                                                   "#76b7b2", "#edc948", "#b07aa1"};
  if (lane.session_index > 0) return kSessionColors[(lane.session_index - 1) % 6];
  if (lane.label) return "#9c755f";
  return "#4e79a7";
}

std::string HexHash(uint64_t h) { return absl::StrFormat("0x%016x", h); }

}  // namespace

std::string ToChromeTraceJson(const ExecutionTrace& trace, const TraceExportInfo& info) {
  const Layout layout = MakeLayout(trace);
  std::vector<std::string> events;
  // Process 0 holds the fake clock; 1 the background tasks; 1+k session k.
  events.push_back(R"({"name":"process_name","ph":"M","pid":0,"args":{"name":"fake clock"}})");
  events.push_back(R"({"name":"process_name","ph":"M","pid":1,"args":{"name":"background"}})");
  for (int s = 1; s <= layout.sessions; ++s) {
    events.push_back(absl::StrFormat(
        R"({"name":"process_name","ph":"M","pid":%d,"args":{"name":"foreground session %d"}})",
        1 + s, s));
  }
  for (const auto& [task, lane] : layout.lanes) {
    const int pid = 1 + lane.session_index;
    events.push_back(
        absl::StrFormat(R"({"name":"thread_name","ph":"M","pid":%d,"tid":%d,"args":{"name":"%s"}})",
                        pid, task, internal::JsonEscape(LaneName(lane))));
    events.push_back(absl::StrFormat(
        R"({"name":"thread_sort_index","ph":"M","pid":%d,"tid":%d,"args":{"sort_index":%d}})", pid,
        task, task));
  }
  std::optional<Duration> last_clock;
  for (const TraceEvent& e : trace.events()) {
    const Lane& lane = layout.lanes.at(e.task.value());
    const int pid = 1 + lane.session_index;
    const uint64_t ts = e.kind == TraceEvent::Kind::kStep ? e.step - 1 : e.step;
    if (last_clock != e.clock) {
      events.push_back(absl::StrFormat(
          R"({"name":"fake clock, ms","ph":"C","ts":%d,"pid":0,"args":{"ms":%.6f}})", ts,
          Millis(e.clock)));
      last_clock = e.clock;
    }
    if (e.kind == TraceEvent::Kind::kStep) {
      events.push_back(absl::StrFormat(
          R"({"name":"task#%d","cat":"step","ph":"X","ts":%d,"dur":1,"pid":%d,"tid":%d,)"
          R"("args":{"step":%d,"clock_ms":%.6f,"spawned_at":"%s"}})",
          e.task.value(), ts, pid, e.task.value(), e.step, Millis(e.clock),
          internal::JsonEscape(lane.full_where)));
    } else if (e.kind == TraceEvent::Kind::kTimerFired) {
      events.push_back(absl::StrFormat(
          R"({"name":"timer fired","cat":"timer","ph":"i","s":"t","ts":%d,"pid":%d,"tid":%d,)"
          R"("args":{"clock_ms":%.6f}})",
          ts, pid, e.task.value(), Millis(e.clock)));
    } else {
      events.push_back(absl::StrFormat(
          R"({"name":"blocked future step","cat":"block","ph":"i","s":"t","ts":%d,"pid":%d,)"
          R"("tid":%d,"args":{"clock_ms":%.6f,"blocked_at":"%s"}})",
          ts, pid, e.task.value(), Millis(e.clock), internal::JsonEscape(lane.full_where)));
    }
  }
  std::string out = absl::StrFormat(
      R"({"displayTimeUnit":"ns","otherData":{"title":"%s","seed":"%d","strategy":"%s",)"
      R"("trace_hash":"%s","time_axis":"1 us = 1 scheduler step"},"traceEvents":[)",
      internal::JsonEscape(info.title), info.seed, internal::JsonEscape(info.strategy),
      HexHash(trace.hash()));
  for (size_t i = 0; i < events.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "\n" : ",\n", events[i]);
  }
  absl::StrAppend(&out, "\n]}\n");
  return out;
}

std::string ToSvgTimeline(const ExecutionTrace& trace, const TraceExportInfo& info) {
  const Layout layout = MakeLayout(trace);
  const uint64_t shown_steps = std::min(layout.steps, kMaxTimelineSteps);
  constexpr int kLabelWidth = 300, kRowHeight = 18, kTop = 58, kPlotWidth = 900;
  const double cell = std::clamp(
      shown_steps == 0 ? 16.0 : static_cast<double>(kPlotWidth) / shown_steps, 1.0, 16.0);
  std::map<uint64_t, int> row;  // task -> row
  for (const auto& [task, lane] : layout.lanes) {
    if (row.size() == kMaxTimelineRows) break;
    row.emplace(task, static_cast<int>(row.size()));
  }
  const int width = std::max(kLabelWidth + static_cast<int>(cell * shown_steps) + 20, 720);
  const int plot_bottom = kTop + kRowHeight * static_cast<int>(row.size());
  const int height = plot_bottom + 58;
  std::string out =
      absl::StrFormat(R"(<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" )"
                      R"(font-family="monospace" font-size="11">)"
                      "\n",
                      width, height);
  absl::StrAppend(&out, R"(<rect width="100%" height="100%" fill="white"/>)", "\n");
  std::string header = absl::StrFormat("%s: seed %d, %s, %d steps, hash %s", info.title, info.seed,
                                       info.strategy, layout.steps, HexHash(trace.hash()));
  if (shown_steps < layout.steps || row.size() < layout.lanes.size()) {
    absl::StrAppend(&header, absl::StrFormat(" (showing %d steps, %d of %d tasks)", shown_steps,
                                             row.size(), layout.lanes.size()));
  }
  absl::StrAppend(
      &out, absl::StrFormat(R"(<text x="4" y="16" font-size="13">%s</text>)", XmlEscape(header)),
      "\n");
  // Step axis.
  const uint64_t tick_every = std::max<uint64_t>(1, static_cast<uint64_t>(60 / cell));
  for (uint64_t s = 0; s <= shown_steps; s += tick_every) {
    const double x = kLabelWidth + s * cell;
    absl::StrAppend(&out,
                    absl::StrFormat(R"(<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>)"
                                    R"(<text x="%.1f" y="%d" fill="#555">%d</text>)",
                                    x, kTop - 4, x, plot_bottom, x + 2, kTop - 8, s),
                    "\n");
  }
  absl::StrAppend(&out, absl::StrFormat(R"(<text x="4" y="%d" fill="#555">step</text>)", kTop - 8),
                  "\n");
  // Lane labels and stripes.
  for (const auto& [task, r] : row) {
    const Lane& lane = layout.lanes.at(task);
    const int y = kTop + r * kRowHeight;
    if (r % 2 == 0) {
      absl::StrAppend(
          &out,
          absl::StrFormat(R"(<rect x="0" y="%d" width="%d" height="%d" fill="#f4f4f4"/>)", y, width,
                          kRowHeight),
          "\n");
    }
    absl::StrAppend(
        &out,
        absl::StrFormat(R"(<text x="4" y="%d"><title>%s</title>%s</text>)", y + kRowHeight - 5,
                        XmlEscape(lane.full_where), XmlEscape(LaneName(lane))),
        "\n");
  }
  // Steps, timer fires and clock changes.
  std::optional<Duration> last_clock;
  int clock_marks = 0;  // alternates the rows of the clock labels
  for (const TraceEvent& e : trace.events()) {
    if (e.step > shown_steps) break;
    auto r = row.find(e.task.value());
    const Lane& lane = layout.lanes.at(e.task.value());
    const double x = kLabelWidth + (e.kind == TraceEvent::Kind::kStep ? e.step - 1 : e.step) * cell;
    if (last_clock != e.clock) {
      if (last_clock.has_value()) {
        absl::StrAppend(
            &out,
            absl::StrFormat(R"(<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#c00" )"
                            R"(stroke-dasharray="3,2"/><text x="%.1f" y="%d" fill="#c00">)"
                            R"(+%gms</text>)",
                            x, kTop, x, plot_bottom + 2 + 12 * (clock_marks % 2), x + 2,
                            plot_bottom + 12 + 12 * (clock_marks % 2), Millis(e.clock)),
            "\n");
        ++clock_marks;
      }
      last_clock = e.clock;
    }
    if (r == row.end()) continue;
    const int y = kTop + r->second * kRowHeight;
    if (e.kind == TraceEvent::Kind::kStep) {
      absl::StrAppend(&out,
                      absl::StrFormat(R"(<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s">)"
                                      R"(<title>%s</title></rect>)",
                                      x, y + 2, std::max(cell - (cell > 3 ? 1 : 0), 1.0),
                                      kRowHeight - 4, LaneColor(lane), XmlEscape(DescribeEvent(e))),
                      "\n");
    } else if (e.kind == TraceEvent::Kind::kDrivenStep) {
      const double cy = y + kRowHeight / 2.0;
      absl::StrAppend(&out,
                      absl::StrFormat(R"(<circle cx="%.1f" cy="%.1f" r="4" fill="#2a2">)"
                                      R"(<title>%s</title></circle>)",
                                      x, cy, XmlEscape(DescribeEvent(e))),
                      "\n");
    } else {
      const double cy = y + kRowHeight / 2.0;
      absl::StrAppend(
          &out,
          absl::StrFormat(R"(<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" )"
                          R"(fill="#c00"><title>%s</title></polygon>)",
                          x, cy - 5, x + 4, cy, x, cy + 5, x - 4, cy, XmlEscape(DescribeEvent(e))),
          "\n");
    }
  }
  absl::StrAppend(&out,
                  absl::StrFormat(R"(<text x="4" y="%d" fill="#555">blue: background task, )"
                                  R"(brown: labeled, other colours: one per foreground session)"
                                  R"(</text><text x="4" y="%d" fill="#555">red diamond: timer )"
                                  R"(fired (its task queued); green dot: a blocked future's step; )"
                                  R"(red dashes: the fake clock moved)"
                                  R"(</text>)",
                                  height - 18, height - 5),
                  "\n</svg>\n");
  return out;
}

std::string ToHtmlTimeline(const ExecutionTrace& trace, const TraceExportInfo& info) {
  return absl::StrCat(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", XmlEscape(info.title),
      "</title>\n<style>body{font-family:sans-serif;margin:16px}"
      "div.scroll{overflow-x:auto;border:1px solid #ccc}</style></head><body>\n<h2>",
      XmlEscape(info.title), "</h2>\n<p>seed ", info.seed, ", strategy ", XmlEscape(info.strategy),
      ", ", trace.event_count(), " events, trace hash ", HexHash(trace.hash()),
      ". Hover a cell for the step, task and spawn site. The same run as Chrome trace JSON is in "
      "the <code>.trace.json</code> file next to this page (open it in ui.perfetto.dev).</p>\n"
      "<div class=\"scroll\">\n",
      ToSvgTimeline(trace, info), "</div>\n</body></html>\n");
}

absl::Status WriteTraceFiles(const ExecutionTrace& trace, const TraceExportInfo& info,
                             const std::string& prefix) {
  if (!trace.keeps_events()) {
    return absl::FailedPreconditionError(
        "the trace kept no events; set TestSchedulerConfig::record_trace or trace_out");
  }
  const std::filesystem::path parent = std::filesystem::path(prefix).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) {
      return absl::InternalError(
          absl::StrCat("cannot create ", parent.string(), ": ", error.message()));
    }
  }
  const std::pair<std::string, std::string> files[] = {
      {prefix + ".trace.json", ToChromeTraceJson(trace, info)},
      {prefix + ".svg", ToSvgTimeline(trace, info)},
      {prefix + ".html", ToHtmlTimeline(trace, info)},
  };
  for (const auto& [path, contents] : files) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << contents;
    file.close();
    if (!file) {
      return absl::InternalError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

}  // namespace scheduler
