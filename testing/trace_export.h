// Exports an ExecutionTrace for viewing.
//
//   * Chrome trace-event JSON: open in https://ui.perfetto.dev or
//     chrome://tracing. One lane per task (grouped into "background" and one
//     process per foreground session), one 1 us slice per step, so the time
//     axis counts steps; the fake clock is a counter track and in each
//     slice's args. Timer fires are instant events.
//   * A self-contained SVG timeline (rows = tasks, columns = steps, hover for
//     details), and an HTML page embedding it.
//
// Needs a trace that kept its events (TestSchedulerConfig::record_trace or
// trace_out). Large runs are cut in the SVG/HTML (see kMaxTimelineSteps),
// never in the JSON.
#ifndef TESTING_TRACE_EXPORT_H_
#define TESTING_TRACE_EXPORT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "testing/trace.h"

namespace scheduler {

// Shown in the exported files' headers.
struct TraceExportInfo {
  std::string title = "TestScheduler trace";
  uint64_t seed = 0;
  std::string strategy = "random";
};

// The SVG/HTML timeline shows at most this many steps (and this many rows).
inline constexpr uint64_t kMaxTimelineSteps = 4000;
inline constexpr size_t kMaxTimelineRows = 200;

std::string ToChromeTraceJson(const ExecutionTrace& trace, const TraceExportInfo& info);
std::string ToSvgTimeline(const ExecutionTrace& trace, const TraceExportInfo& info);
std::string ToHtmlTimeline(const ExecutionTrace& trace, const TraceExportInfo& info);

// Writes `<prefix>.trace.json`, `<prefix>.svg` and `<prefix>.html`, creating
// the parent directory if needed.
absl::Status WriteTraceFiles(const ExecutionTrace& trace, const TraceExportInfo& info,
                             const std::string& prefix);

}  // namespace scheduler

#endif  // TESTING_TRACE_EXPORT_H_
