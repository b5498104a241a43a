"""C++ toolchain configuration for Debian's clang 14 (Linux x86_64 host and target).

Used only by `--config=clang_tsa` (.bazelrc), which builds the core with clang so that
-Wthread-safety checks the Abseil thread-safety annotations (ABSL_GUARDED_BY & co.); GCC, the
compiler of every other build, ignores them. clang 14 compiles against GCC 12's libstdc++ (the
same standard library as the GCC build, so Debian's Abseil links unchanged); the one piece it
lacks, std::source_location, comes from source_location_shim.h, force-included into every
compile (the header says why).

Deliberately small: no PIC, no shared libraries (tests link statically), no .d files (so Bazel
does not check for undeclared inclusions in this configuration; the GCC build does).
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load(
    "@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl",
    "feature",
    "flag_group",
    "flag_set",
    "tool_path",
    "with_feature_set",
)

_COMPILE_ACTIONS = [
    ACTION_NAMES.c_compile,
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.cpp_header_parsing,
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

def _clang_cc_toolchain_config_impl(ctx):
    tool_paths = [
        tool_path(name = "gcc", path = "/usr/bin/clang++-14"),
        tool_path(name = "cpp", path = "/usr/bin/clang-cpp-14"),
        tool_path(name = "ar", path = "/usr/bin/ar"),
        tool_path(name = "ld", path = "/usr/bin/ld"),
        tool_path(name = "nm", path = "/usr/bin/nm"),
        tool_path(name = "objcopy", path = "/usr/bin/objcopy"),
        tool_path(name = "objdump", path = "/usr/bin/objdump"),
        tool_path(name = "strip", path = "/usr/bin/strip"),
        tool_path(name = "gcov", path = "/bin/false"),
        tool_path(name = "dwp", path = "/bin/false"),
    ]

    features = [
        feature(name = "dbg"),
        feature(name = "opt"),
        feature(name = "fastbuild"),
        feature(
            name = "default_compile_flags",
            enabled = True,
            flag_sets = [
                _flags(_COMPILE_ACTIONS, [
                    "-include",
                    ctx.file.source_location_shim.path,
                    "-Wno-builtin-macro-redefined",
                    "-D__DATE__=\"redacted\"",
                    "-D__TIMESTAMP__=\"redacted\"",
                    "-D__TIME__=\"redacted\"",
                ]),
                _flags(_COMPILE_ACTIONS, ["-g"], ["dbg"]),
                _flags(_COMPILE_ACTIONS, ["-O2", "-DNDEBUG"], ["opt"]),
            ],
        ),
        feature(
            name = "default_link_flags",
            enabled = True,
            flag_sets = [_flags(_LINK_ACTIONS, ["-lstdc++", "-lm", "-pthread"])],
        ),
    ]

    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        toolchain_identifier = "clang-14-linux-x86_64",
        host_system_name = "x86_64-linux-gnu",
        target_system_name = "x86_64-linux-gnu",
        target_cpu = "k8",
        target_libc = "glibc",
        compiler = "clang",
        abi_version = "local",
        abi_libc_version = "local",
        tool_paths = tool_paths,
        features = features,
        cxx_builtin_include_directories = [
            "/usr/lib/gcc/x86_64-linux-gnu/12",
            "/usr/include",
            "/usr/lib/llvm-14/lib/clang/14.0.6/include",
            "/usr/local/include",
        ],
    )

clang_cc_toolchain_config = rule(
    implementation = _clang_cc_toolchain_config_impl,
    attrs = {
        "source_location_shim": attr.label(allow_single_file = True, mandatory = True),
    },
    provides = [CcToolchainConfigInfo],
)
