// main() for AFL++'s classic (fork-server) instrumentation: AFL++ feeds each
// input on stdin. (Debian's afl-g++-fast GCC plugin is built for a different
// GCC build and refuses to load, so the fuzzer uses afl-g++, which needs no
// plugin and hence no persistent-mode driver.) Also handy for replaying a
// finding by hand: /tmp/scheduler_fuzzer < crash-file.
#include <cstdint>
#include <iostream>
#include <iterator>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main() {
  const std::string input((std::istreambuf_iterator<char>(std::cin)),
                          std::istreambuf_iterator<char>());
  return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}
