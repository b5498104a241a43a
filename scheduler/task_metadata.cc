#include "scheduler/task_metadata.h"

#include "absl/strings/str_cat.h"

namespace scheduler {

const char* PriorityName(Priority priority) {
  switch (priority) {
    case Priority::kHigh:
      return "high";
    case Priority::kMedium:
      return "medium";
    case Priority::kLow:
      return "low";
  }
  return "?";
}

std::string FormatLocation(const std::source_location& location) {
  return absl::StrCat(location.file_name(), ":", location.line(), " (", location.function_name(),
                      ")");
}

std::string DescribeTask(const TaskMetadata& metadata) {
  std::string out =
      absl::StrCat("task#", metadata.id.value(), " spawned at ", FormatLocation(metadata.location));
  if (metadata.label) absl::StrAppend(&out, " [label#", metadata.label->value(), "]");
  if (metadata.session) absl::StrAppend(&out, " [session#", metadata.session->value(), "]");
  if (metadata.priority != Priority::kMedium) {
    absl::StrAppend(&out, " [", PriorityName(metadata.priority), "]");
  }
  return out;
}

}  // namespace scheduler
