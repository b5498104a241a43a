// The three glibc 2.38 functions Debian trixie's libdispatch.a calls, for bookworm's glibc 2.36.
// The archive was compiled against trixie's headers, where strlcpy exists and C2x mode redirects
// strtol/sscanf to their __isoc23_ variants (which also accept "0b" binary prefixes). Here they
// are implemented with the C99 functions: libdispatch parses only decimal numbers with them
// (environment variables and /proc values), which both variants read alike.
// With glibc >= 2.38 this file is empty and glibc's own definitions are used.
#include <features.h>

#if !__GLIBC_PREREQ(2, 38)

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t strlcpy(char* dest, const char* src, size_t size) {
  const size_t length = strlen(src);
  if (size > 0) {
    const size_t copied = length < size - 1 ? length : size - 1;
    memcpy(dest, src, copied);
    dest[copied] = '\0';
  }
  return length;  // as in BSD: the length it tried to create, so truncation is detectable
}

long __isoc23_strtol(const char* nptr, char** endptr, int base) {
  return strtol(nptr, endptr, base);
}

int __isoc23_sscanf(const char* str, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const int assigned = vsscanf(str, format, args);
  va_end(args);
  return assigned;
}

#endif  // !__GLIBC_PREREQ(2, 38)
