#include "cloud_integration/internal/location.h"

#include "absl/strings/str_cat.h"

namespace cloud::internal {

std::string ShortFunctionName(std::string_view name) {
  // GCC spells a coroutine's body as "R f(f(args)::_Z...Frame*)" and a lambda
  // as "f(args)::<lambda()>"; the name we want ends at the first '(' either
  // way, and starts after the return type (the last space before it, outside
  // template brackets).
  const size_t paren = name.find('(');
  std::string_view head = name.substr(0, paren);
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '<') ++depth;
    if (head[i] == '>') --depth;
    if (head[i] == ' ' && depth == 0) start = i + 1;
  }
  std::string out(head.substr(start));
  if (paren != std::string_view::npos && name.find("<lambda", paren) != std::string_view::npos) {
    out += "::<lambda>";
  }
  return out.empty() ? std::string(name) : out;
}

std::string ShortLocation(const std::source_location& location) {
  return absl::StrCat(location.file_name(), ":", location.line(), " (",
                      ShortFunctionName(location.function_name()), ")");
}

}  // namespace cloud::internal
