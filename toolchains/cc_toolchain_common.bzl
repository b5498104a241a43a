"""What the repository's hand-written C++ toolchains (clang for --config=clang_tsa, mingw-w64 for
--config=windows) have in common: the action lists, the flag-set helper, the tool table, and the
compilation-mode and reproducibility features. Each toolchain's own .bzl keeps only what differs
(compiler paths, target, and its extra flags), so a fix to a shared part is made once.
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

COMPILE_ACTIONS = [
    ACTION_NAMES.assemble,
    ACTION_NAMES.preprocess_assemble,
    ACTION_NAMES.c_compile,
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.cpp_header_parsing,
    ACTION_NAMES.cpp_module_compile,
    ACTION_NAMES.cpp_module_codegen,
    ACTION_NAMES.linkstamp_compile,
]

LINK_ACTIONS = [
    ACTION_NAMES.cpp_link_executable,
    ACTION_NAMES.cpp_link_dynamic_library,
    ACTION_NAMES.cpp_link_nodeps_dynamic_library,
]

# Builds do not depend on the time of day.
REPRODUCIBLE_FLAGS = [
    "-Wno-builtin-macro-redefined",
    "-D__DATE__=\"redacted\"",
    "-D__TIMESTAMP__=\"redacted\"",
    "-D__TIME__=\"redacted\"",
]

def flags(actions, flag_list, features = None):
    """A flag_set of `flag_list` on `actions`, only under `features` if given."""
    return flag_set(
        actions = actions,
        flag_groups = [flag_group(flags = flag_list)],
        with_features = [with_feature_set(features = features)] if features else [],
    )

def tool_paths(paths):
    """Bazel's tool table from {tool name: path}; tools left out are /bin/false."""
    names = ["gcc", "cpp", "ar", "ld", "nm", "objcopy", "objdump", "strip", "gcov", "dwp"]
    return [tool_path(name = name, path = paths.get(name, "/bin/false")) for name in names]

def cc_features(compile_flags, opt_compile_flags, link_flag_sets):
    """The features both toolchains declare.

    Args:
      compile_flags: flags for every compile (after REPRODUCIBLE_FLAGS).
      opt_compile_flags: flags for `-c opt` compiles.
      link_flag_sets: the flag_sets of the default link flags.
    """
    return [
        # The compilation modes; referenced by the flag sets below.
        feature(name = "dbg"),
        feature(name = "opt"),
        feature(name = "fastbuild"),
        feature(
            name = "default_compile_flags",
            enabled = True,
            flag_sets = [
                flags(COMPILE_ACTIONS, compile_flags + REPRODUCIBLE_FLAGS),
                flags(COMPILE_ACTIONS, ["-g"], ["dbg"]),
                flags(COMPILE_ACTIONS, opt_compile_flags, ["opt"]),
            ],
        ),
        feature(
            name = "default_link_flags",
            enabled = True,
            flag_sets = link_flag_sets,
        ),
    ]
