// ThreadSanitizer defaults for executables that link libdispatch (see :tsan_options in
// BUILD.bazel). TSAN_OPTIONS from the environment is applied on top of these.
extern "C" const char* __tsan_default_options() {
  // libdispatch.so is not instrumented: TSan would report its internal hand-offs (a
  // continuation allocated by the submitter, freed by a worker) as races. This makes TSan skip
  // the interceptors (malloc/free, locks, ...) that uninstrumented modules call.
  return "ignore_noninstrumented_modules=1";
}
