"""C++ toolchain configuration for the mingw-w64 cross compiler (Linux host -> Windows x86_64).

Wraps Debian's `x86_64-w64-mingw32-g++-posix` (package g++-mingw-w64-x86-64). The `-posix`
variant is required: its libstdc++ implements std::thread/std::mutex on winpthreads, while the
`-win32` variant has no std::thread at all.

Every program is linked `-static` (libstdc++, libgcc, winpthreads), so the .exe files run under
wine or on Windows without any mingw DLL next to them. The toolchain therefore does not declare
`supports_dynamic_linker`: Bazel links tests statically too instead of building DLLs.

`compiler = "mingw-gcc"` is the value Abseil's BUILD files use to recognise MinGW.
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load(
    "@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl",
    "artifact_name_pattern",
    "feature",
    "flag_group",
    "flag_set",
    "tool_path",
    "with_feature_set",
)

_COMPILE_ACTIONS = [
    ACTION_NAMES.assemble,
    ACTION_NAMES.preprocess_assemble,
    ACTION_NAMES.c_compile,
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.cpp_header_parsing,
    ACTION_NAMES.cpp_module_compile,
    ACTION_NAMES.cpp_module_codegen,
    ACTION_NAMES.linkstamp_compile,
]

_LINK_ACTIONS = [
    ACTION_NAMES.cpp_link_executable,
    ACTION_NAMES.cpp_link_dynamic_library,
    ACTION_NAMES.cpp_link_nodeps_dynamic_library,
]

def _flags(actions, flags, features = None):
    return flag_set(
        actions = actions,
        flag_groups = [flag_group(flags = flags)],
        with_features = [with_feature_set(features = features)] if features else [],
    )

def _mingw_cc_toolchain_config_impl(ctx):
    prefix = ctx.attr.tool_prefix
    tool_paths = [
        tool_path(name = "gcc", path = prefix + "g++-posix"),
        tool_path(name = "cpp", path = prefix + "cpp-posix"),
        tool_path(name = "ar", path = prefix + "ar"),
        tool_path(name = "ld", path = prefix + "ld"),
        tool_path(name = "nm", path = prefix + "nm"),
        tool_path(name = "objcopy", path = prefix + "objcopy"),
        tool_path(name = "objdump", path = prefix + "objdump"),
        tool_path(name = "strip", path = prefix + "strip"),
        tool_path(name = "gcov", path = prefix + "gcov-posix"),
        tool_path(name = "dwp", path = "/bin/false"),
    ]

    features = [
        # The compilation modes; referenced by the flag sets below.
        feature(name = "dbg"),
        feature(name = "opt"),
        feature(name = "fastbuild"),
        feature(
            name = "default_compile_flags",
            enabled = True,
            flag_sets = [
                # Builds do not depend on the time of day. -fno-canonical-system-headers: GCC
                # would otherwise resolve symlinks in -isystem paths (external repositories are
                # symlink trees) and list the real paths in .d files, which Bazel rejects as
                # undeclared inclusions.
                _flags(_COMPILE_ACTIONS, [
                    "-fno-canonical-system-headers",
                    "-Wno-builtin-macro-redefined",
                    "-D__DATE__=\"redacted\"",
                    "-D__TIMESTAMP__=\"redacted\"",
                    "-D__TIME__=\"redacted\"",
                ]),
                _flags(_COMPILE_ACTIONS, ["-g"], ["dbg"]),
                _flags(
                    _COMPILE_ACTIONS,
                    ["-g0", "-O2", "-DNDEBUG", "-ffunction-sections", "-fdata-sections"],
                    ["opt"],
                ),
            ],
        ),
        feature(
            name = "default_link_flags",
            enabled = True,
            flag_sets = [
                _flags(_LINK_ACTIONS, ["-static"]),
                _flags(_LINK_ACTIONS, ["-Wl,--gc-sections"], ["opt"]),
            ],
        ),
    ]

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
        tool_paths = tool_paths,
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
