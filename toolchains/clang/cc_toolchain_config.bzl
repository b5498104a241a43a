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

load(
    "//toolchains:cc_toolchain_common.bzl",
    "LINK_ACTIONS",
    "cc_features",
    "flags",
    "tool_paths",
)

def _clang_cc_toolchain_config_impl(ctx):
    features = cc_features(
        compile_flags = ["-include", ctx.file.source_location_shim.path],
        opt_compile_flags = ["-O2", "-DNDEBUG"],
        link_flag_sets = [flags(LINK_ACTIONS, ["-lstdc++", "-lm", "-pthread"])],
    )

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
        tool_paths = tool_paths({
            "gcc": "/usr/bin/clang++-14",
            "cpp": "/usr/bin/clang-cpp-14",
            "ar": "/usr/bin/ar",
            "ld": "/usr/bin/ld",
            "nm": "/usr/bin/nm",
            "objcopy": "/usr/bin/objcopy",
            "objdump": "/usr/bin/objdump",
            "strip": "/usr/bin/strip",
        }),
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
