"""Compiler flags for code that includes libdispatch's headers (//third_party:libdispatch)."""

# libdispatch's headers use Clang's __has_feature/__has_extension, which GCC 12 lacks;
# dispatch/base.h defines both as 0 when missing, but os/generic_unix_base.h is included
# before it. Defining them as 0 up front is what base.h would do. Kept out of the library's
# `defines` so that only the files that include <dispatch/dispatch.h> get them.
LIBDISPATCH_COPTS = [
    "-D__has_feature(x)=0",
    "-D__has_extension(x)=0",
]
