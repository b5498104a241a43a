// Force-included (-include) into the clang-only builds of the repository: clang-tidy
// (tools/clang_tidy.sh), compile_commands.json for clangd (tools/compile_commands.py) and the
// thread-safety build (--config=clang_tsa, via //toolchains/clang). Never part of the GCC build.
//
// Why: clang 14 with GCC 12's libstdc++ has no std::source_location. libstdc++'s
// <source_location> defines the class only if the compiler has __builtin_source_location, which
// GCC 12 has and clang gained in version 15; clang 14 compiles C++20 coroutines with these
// headers, so this is the only piece missing. Until clang 15, this header declares a
// std::source_location with the same interface built on the __builtin_FILE / __builtin_LINE /
// __builtin_FUNCTION / __builtin_COLUMN builtins that clang 14 has (they take the caller's
// location when used as default arguments, as current() needs). Declaring it in namespace std is
// formally not allowed to a program; it is acceptable here because these builds only analyse the
// code and run tests, and libstdc++'s own header declares nothing for this compiler.
#ifndef TOOLCHAINS_CLANG_SOURCE_LOCATION_SHIM_H_
#define TOOLCHAINS_CLANG_SOURCE_LOCATION_SHIM_H_

#if defined(__clang__) && defined(__cplusplus) && __cplusplus > 201703L && \
    !__has_builtin(__builtin_source_location)

#include <cstdint>

namespace std {

struct source_location {
  static constexpr source_location current(const char* file = __builtin_FILE(),
                                           const char* function = __builtin_FUNCTION(),
                                           uint_least32_t line = __builtin_LINE(),
                                           uint_least32_t column = __builtin_COLUMN()) noexcept {
    source_location location;
    location.file_ = file;
    location.function_ = function;
    location.line_ = line;
    location.column_ = column;
    return location;
  }

  constexpr source_location() noexcept = default;

  constexpr uint_least32_t line() const noexcept { return line_; }
  constexpr uint_least32_t column() const noexcept { return column_; }
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr const char* function_name() const noexcept { return function_; }

 private:
  const char* file_ = "";
  const char* function_ = "";
  uint_least32_t line_ = 0;
  uint_least32_t column_ = 0;
};

}  // namespace std

#endif
#endif  // TOOLCHAINS_CLANG_SOURCE_LOCATION_SHIM_H_
