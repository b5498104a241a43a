"""C++ toolchain configuration for the mingw-w64 cross compiler (Linux host -> Windows x86_64).

Wraps Debian's `x86_64-w64-mingw32-g++-posix` (package g++-mingw-w64-x86-64). The `-posix`
variant is required: its libstdc++ implements std::thread/std::mutex on winpthreads, while the
`-win32` variant has no std::thread at all.

Every program is linked `-static` (libstdc++, libgcc, winpthreads), so the .exe files run under
wine or on Windows without any mingw DLL next to them. The toolchain therefore does not declare
`supports_dynamic_linker`: Bazel links tests statically too instead of building DLLs.

`compiler = "mingw-gcc"` is the value Abseil's BUILD files use to recognise MinGW.
"""

load("@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl", "artifact_name_pattern")
load(
    "//toolchains:cc_toolchain_common.bzl",
    "LINK_ACTIONS",
    "cc_features",
    "flags",
    "tool_paths",
)

def _mingw_cc_toolchain_config_impl(ctx):
    prefix = ctx.attr.tool_prefix

    # -fno-canonical-system-headers: GCC would otherwise resolve symlinks in -isystem paths
    # (external repositories are symlink trees) and list the real paths in .d files, which Bazel
    # rejects as undeclared inclusions.
    features = cc_features(
        compile_flags = ["-fno-canonical-system-headers"],
        opt_compile_flags = ["-g0", "-O2", "-DNDEBUG", "-ffunction-sections", "-fdata-sections"],
        link_flag_sets = [
            flags(LINK_ACTIONS, ["-static"]),
            flags(LINK_ACTIONS, ["-Wl,--gc-sections"], ["opt"]),
        ],
    )

    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        toolchain_identifier = "mingw-w64-x86_64-posix",
        host_system_name = "x86_64-linux-gnu",
        target_system_name = "x86_64-w64-mingw32",
        target_cpu = "x64_windows",
        target_libc = "msvcrt",
        compiler = "mingw-gcc",
        abi_version = "local",
        abi_libc_version = "local",
        tool_paths = tool_paths({
            name: prefix + suffix
            for name, suffix in {
                "gcc": "g++-posix",
                "cpp": "cpp-posix",
                "ar": "ar",
                "ld": "ld",
                "nm": "nm",
                "objcopy": "objcopy",
                "objdump": "objdump",
                "strip": "strip",
                "gcov": "gcov-posix",
            }.items()
        }),
        features = features,
        cxx_builtin_include_directories = ctx.attr.builtin_include_directories,
        artifact_name_patterns = [
            artifact_name_pattern(category_name = "executable", prefix = "", extension = ".exe"),
        ],
    )

mingw_cc_toolchain_config = rule(
    implementation = _mingw_cc_toolchain_config_impl,
    attrs = {
        "tool_prefix": attr.string(default = "/usr/bin/x86_64-w64-mingw32-"),
        # Directories the compiler searches by itself (see `g++-posix -E -v -x c++ /dev/null`);
        # headers found there are not declared inputs, so Bazel must be told to accept them.
        "builtin_include_directories": attr.string_list(default = [
            "/usr/lib/gcc/x86_64-w64-mingw32",
            "/usr/x86_64-w64-mingw32/include",
            "/usr/share/mingw-w64/include",
        ]),
    },
    provides = [CcToolchainConfigInfo],
)
