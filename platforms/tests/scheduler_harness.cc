#include "platforms/tests/scheduler_harness.h"

namespace scheduler {

std::string HarnessFactoryName(const testing::TestParamInfo<HarnessFactory>& info) {
  return info.param.name;
}

}  // namespace scheduler
