#!/usr/bin/env python3
"""Writes compile_commands.json (the Clang compilation database) for clangd and clang-tidy.

    tools/compile_commands.py                      # every C++ file of //...
    tools/compile_commands.py //scheduler/... //platforms/...
    tools/compile_commands.py --output=/tmp/db/compile_commands.json //executor/...
    BAZEL="bazel --output_user_root=/tmp/root" tools/compile_commands.py

The commands are Bazel's own: `bazel aquery` lists every CppCompile action of the targets' (and
their dependencies') Linux build, with the flags .bazelrc adds. Nothing is built, so a file that
includes a generated header needs one `bazel build` first (the repository has none today).

Each command is rewritten for clang, since clangd and clang-tidy are clang 14:
  * the compiler becomes clang++ and GCC-only flags are dropped (-fno-canonical-system-headers,
    warning flags clang does not know), as is -Werror (clang warns about other things than GCC;
    the GCC build enforces our warnings);
  * toolchains/clang/source_location_shim.h is force-included: clang 14 has no
    std::source_location with GCC 12's libstdc++ (the header says why);
  * the working directory is the workspace, so diagnostics name files as the editor sees them;
    arguments that point into Bazel's execution root (external/..., bazel-out/...) are made
    absolute.

Sources in external repositories are left out (they are Debian's headers, never compiled here).
"""

import argparse
import json
import os
import shlex
import subprocess
import sys

WORKSPACE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIM = os.path.join(WORKSPACE, "toolchains", "clang", "source_location_shim.h")

# GCC flags clang 14 rejects or warns about (a warning under -Werror would be an error).
GCC_ONLY_FLAGS = {
    "-fno-canonical-system-headers",
    "-Wno-free-nonheap-object",
    "-Wunused-but-set-parameter",
    "-Werror",
}
# Dependency-file output: clangd and clang-tidy write no objects, so no .d files either.
DROPPED_WITH_VALUE = {"-MF"}
DROPPED = {"-MD"}
# Flags whose next argument is a path relative to the execution root.
PATH_FLAGS = {"-iquote", "-isystem", "-I", "-o", "-include"}
INCLUDE_FLAGS = {"-iquote", "-isystem", "-I"}
# Directories clang searches by itself; naming them again reorders the search (see below).
SYSTEM_DIRECTORIES = {"/usr/include", "/usr/local/include"}


def bazel_command():
    return shlex.split(os.environ.get("BAZEL", "bazel"))


def run_bazel(args):
    result = subprocess.run(bazel_command() + args, cwd=WORKSPACE, check=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return result.stdout


def absolute_in_execroot(path, execroot):
    if path.startswith("external/") or path.startswith("bazel-out/"):
        return os.path.join(execroot, path)
    return path


def is_system_directory(path):
    """True for a directory the compiler searches anyway (e.g. @system_absl//:include is /usr/include).

    Inside Bazel's sandbox such an -isystem directory holds only the declared headers, but outside
    it is the real /usr/include; named with -isystem it would come before libstdc++'s directory,
    and libstdc++'s `#include_next <stdlib.h>` would then find nothing after it.
    """
    return os.path.realpath(path) in SYSTEM_DIRECTORIES


def clang_arguments(arguments, execroot, compiler):
    out = [compiler]
    expect_path = False
    skip_value = False
    for arg in arguments[1:]:
        if skip_value:
            skip_value = False
            continue
        if arg in DROPPED_WITH_VALUE:
            skip_value = True
            continue
        if arg in DROPPED:
            continue
        if expect_path:
            path = absolute_in_execroot(arg, execroot)
            if out[-1] in INCLUDE_FLAGS and is_system_directory(path):
                out.pop()  # the flag itself
            else:
                out.append(path)
            expect_path = False
            continue
        if arg in GCC_ONLY_FLAGS:
            continue
        if arg in PATH_FLAGS:
            expect_path = True
        elif arg.startswith("-I"):
            arg = "-I" + absolute_in_execroot(arg[2:], execroot)
        out.append(arg)
    # First in the list, so the shim is in place before any header.
    return out[:1] + ["-include", SHIM] + out[1:]


def source_of(arguments):
    for i, arg in enumerate(arguments):
        if arg == "-c" and i + 1 < len(arguments):
            return arguments[i + 1]
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="*", default=["//..."],
                        help="Bazel target patterns (default //...)")
    parser.add_argument("--output", default=os.path.join(WORKSPACE, "compile_commands.json"),
                        help="where to write the database (default: the workspace root)")
    # An absolute path: clang finds its own headers and GCC's libstdc++ relative to it.
    parser.add_argument("--compiler", default="/usr/bin/clang++-14",
                        help="compiler named in each entry")
    args = parser.parse_args()

    execroot = run_bazel(["info", "execution_root"]).strip()
    universe = " + ".join(args.targets)
    query = f'mnemonic("CppCompile", deps({universe}))'
    graph = json.loads(run_bazel(["aquery", "--output=jsonproto", query]) or "{}")

    entries = {}
    for action in graph.get("actions", []):
        arguments = action.get("arguments", [])
        source = source_of(arguments)
        if source is None or source.startswith("external/") or source.startswith("bazel-out/"):
            continue
        # A file compiled twice (e.g. PIC and non-PIC) gets its first command.
        entries.setdefault(source, {
            "directory": WORKSPACE,
            "file": os.path.join(WORKSPACE, source),
            "arguments": clang_arguments(arguments, execroot, args.compiler),
        })

    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as f:
        json.dump([entries[k] for k in sorted(entries)], f, indent=1)
        f.write("\n")
    print(f"compile_commands.py: {len(entries)} files -> {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
