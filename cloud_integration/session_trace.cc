#include "cloud_integration/session_trace.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cloud_integration/internal/location.h"
#include "scheduler/internal/json_escape.h"

namespace cloud {
namespace {

std::string JsonString(const std::string& s) {
  return "\"" + scheduler::internal::JsonEscape(s) + "\"";
}

// Chrome trace timestamps are microseconds; keep nanosecond precision.
std::string Micros(scheduler::Duration d) {
  return absl::StrFormat("%.3f", static_cast<double>(d.count()) / 1000.0);
}

}  // namespace

SessionTrace::SessionTrace(std::function<scheduler::Instant()> now) : now_(std::move(now)) {}

void SessionTrace::SetSessionLookup(SessionLookup lookup) {
  absl::MutexLock lock(&mu_);
  lookup_ = std::move(lookup);
}

scheduler::Duration SessionTrace::Elapsed() {
  const scheduler::Instant now = now_();
  if (!origin_) origin_ = now;
  latest_ = std::max(latest_, now - *origin_);
  return now - *origin_;
}

void SessionTrace::AddRequest(CloudSessionId session, std::string name, scheduler::Instant arrived,
                              scheduler::Instant finished,
                              std::map<std::string, std::string> args) {
  absl::MutexLock lock(&mu_);
  Elapsed();  // fixes the origin if nothing did yet
  args["kind"] = "request";
  slices_.push_back(Slice{.name = std::move(name),
                          .session = session.value(),
                          .start = arrived - *origin_,
                          .end = finished - *origin_,
                          .args = std::move(args)});
  latest_ = std::max(latest_, finished - *origin_);
}

void SessionTrace::OnTaskSpawned(const scheduler::TaskMetadata& task) {
  absl::MutexLock lock(&mu_);
  std::optional<CloudSessionId> session = lookup_ ? lookup_(task.id) : std::nullopt;
  Slice slice{.name = absl::StrCat("task#", task.id.value(), " ",
                                   internal::ShortFunctionName(task.location.function_name())),
              .session = session ? session->value() : 0,
              .task = task.id.value(),
              .start = Elapsed()};
  slice.args["spawned_at"] = internal::ShortLocation(task.location);
  if (task.parent) slice.args["parent"] = absl::StrCat("task#", task.parent->value());
  open_[task.id] = slices_.size();
  slices_.push_back(std::move(slice));
}

void SessionTrace::OnTaskFinished(const scheduler::TaskMetadata& task) {
  absl::MutexLock lock(&mu_);
  auto it = open_.find(task.id);
  if (it == open_.end()) return;
  slices_[it->second].end = Elapsed();
  open_.erase(it);
}

std::string SessionTrace::ToChromeJson(const std::string& title) const {
  absl::MutexLock lock(&mu_);
  std::string out =
      absl::StrCat(R"({"otherData":{"title":)", JsonString(title), "},\n\"traceEvents\":[\n");
  bool first_event = true;
  // pid = session + 1 (pid 0 confuses some viewers); tid 0 = the request.
  std::set<uint64_t> sessions;
  for (const Slice& slice : slices_) {
    if (sessions.insert(slice.session).second) {
      absl::StrAppend(
          &out, first_event ? "" : ",\n", R"({"name":"process_name","ph":"M","pid":)",
          slice.session + 1, R"(,"args":{"name":)",
          JsonString(slice.session == 0 ? "no session" : absl::StrCat("session#", slice.session)),
          "}}");
      first_event = false;
      absl::StrAppend(&out, ",\n", R"({"name":"process_sort_index","ph":"M","pid":)",
                      slice.session + 1, R"(,"args":{"sort_index":)", slice.session, "}}");
    }
    absl::StrAppend(&out, ",\n", R"({"name":"thread_name","ph":"M","pid":)", slice.session + 1,
                    R"(,"tid":)", slice.task, R"(,"args":{"name":)",
                    JsonString(slice.task == 0 ? "request" : slice.name), "}}");
  }
  for (const Slice& slice : slices_) {
    const scheduler::Duration end = slice.end.value_or(latest_);
    absl::StrAppend(&out, ",\n{\"name\":", JsonString(slice.name), R"(,"ph":"X","pid":)",
                    slice.session + 1, R"(,"tid":)", slice.task, ",\"ts\":", Micros(slice.start),
                    ",\"dur\":", Micros(end - slice.start), ",\"args\":{");
    std::map<std::string, std::string> args = slice.args;
    if (!slice.end) args["unfinished"] = "still running at the end of the trace";
    bool first = true;
    for (const auto& [key, value] : args) {
      absl::StrAppend(&out, first ? "" : ",", JsonString(key), ":", JsonString(value));
      first = false;
    }
    out += "}}";
  }
  out += "\n]}\n";
  return out;
}

}  // namespace cloud
