#include "cloud_integration/internal/fatal.h"

#include <cstdio>
#include <cstdlib>

namespace cloud::internal {

void Fatal(const std::string& message) {
  std::fprintf(stderr, "cloud: fatal: %s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace cloud::internal
