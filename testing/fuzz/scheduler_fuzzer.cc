// libFuzzer entry point; see scheduler_fuzz_driver.h and build_fuzzer.sh.
#include <cstddef>
#include <cstdint>

#include "testing/fuzz/scheduler_fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  scheduler::fuzz::RunProgramTwiceAndCompare(data, size);
  return 0;
}
