// The README's first example as a program, on the production dispatcher.
#include <cstdio>
#include <memory>

#include "docs/examples/sum.h"
#include "platforms/platform_dispatcher.h"

int main() {
  using namespace scheduler;
  std::shared_ptr<PlatformDispatcher> dispatcher = CreatePlatformDispatcher();  // main thread
  Executor ex(dispatcher);
  const int ten = ex.Block(readme::Sum(ex));
  dispatcher->Shutdown();
  std::printf("Sum = %d\n", ten);
  return ten == 10 ? 0 : 1;
}
