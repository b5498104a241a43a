"""Source repositories of the libraries built for Windows (mingw-w64 cross build).

Debian's libabsl-dev and libgtest-dev are Linux binaries, so `--config=windows` compiles Abseil
and GoogleTest from source. platforms/windows/setup_windows_toolchain.sh puts the sources in
fixed places (Abseil: /opt/unified_scheduler/src/abseil-cpp, upstream tarball of Debian's
`abseil` source package; GoogleTest: /usr/src/googletest from Debian's `googletest` package).

On a machine where they are missing (an ordinary Linux-only setup), each repository is replaced
by stubs with the same target names. Nothing in a Linux build depends on them, and a Windows build
that reaches one fails with a message saying to run the setup script, instead of a missing-path
error from deep inside Bazel.

Running the setup script after Bazel has fetched the stubs: `bazel sync --configure` (or
`bazel shutdown`) makes Bazel look again.
"""

_SETUP = "platforms/windows/setup_windows_toolchain.sh"

# A stub analyses like an empty C++ library (so that merely loading or analysing a dependent, as
# `bazel query` or a Linux `bazel build //...` may, never fails) but compiling anything that uses
# it needs its header, whose action fails with the message.
_STUB_RULE = '''
def _impl(ctx):
    header = ctx.actions.declare_file(ctx.label.name + "_missing_source.h")
    ctx.actions.run_shell(
        outputs = [header],
        command = "echo '{what} not found at {path}. Run {setup} (as root).' >&2; exit 1",
        mnemonic = "MissingMingwSource",
    )
    return [
        DefaultInfo(files = depset([header])),
        CcInfo(compilation_context = cc_common.create_compilation_context(
            headers = depset([header]),
        )),
    ]

missing_source = rule(implementation = _impl)
'''

def _mingw_source_repository_impl(rctx):
    root = rctx.path(rctx.attr.path)
    if root.exists:
        # Like local_repository, but entry by entry so that a BUILD file of ours can be laid
        # over a tree that has none (GoogleTest's CMake-only Debian tree).
        for child in root.readdir():
            if child.basename not in ("BUILD", "BUILD.bazel", "WORKSPACE", "WORKSPACE.bazel"):
                rctx.symlink(child, child.basename)
        if rctx.attr.build_file:
            rctx.symlink(rctx.attr.build_file, "BUILD.bazel")
        elif root.get_child("BUILD.bazel").exists:
            rctx.symlink(root.get_child("BUILD.bazel"), "BUILD.bazel")
        rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.name)
        return

    rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.name)
    rctx.file("missing.bzl", _STUB_RULE.format(
        what = rctx.attr.what,
        path = rctx.attr.path,
        setup = _SETUP,
    ))
    packages = {}
    for label in rctx.attr.stub_targets:
        package, _, name = label.partition(":")
        if not name:
            name = package.rpartition("/")[2]
        packages.setdefault(package, []).append(name)
    if "" not in packages:
        packages[""] = []
    for package, names in packages.items():
        lines = ["load(\"//:missing.bzl\", \"missing_source\")", ""]
        for name in names:
            lines.append("missing_source(name = \"%s\", visibility = [\"//visibility:public\"])" % name)
        rctx.file((package + "/" if package else "") + "BUILD.bazel", "\n".join(lines) + "\n")

mingw_source_repository = repository_rule(
    implementation = _mingw_source_repository_impl,
    attrs = {
        "path": attr.string(mandatory = True, doc = "Absolute path of the source tree."),
        "build_file": attr.label(doc = "BUILD file for the tree's root, if it has none."),
        "what": attr.string(mandatory = True, doc = "Human name for error messages."),
        "stub_targets": attr.string_list(
            doc = "Targets ('package:name' or 'package') the stubs provide when the tree is missing.",
        ),
    },
    # Refetched by `bazel sync --configure` and on server restarts (see the file comment).
    local = True,
    configure = True,
)

def mingw_source_repositories():
    """Declares @mingw_absl and @mingw_gtest (see the file comment)."""
    if not native.existing_rule("mingw_absl"):
        mingw_source_repository(
            name = "mingw_absl",
            path = "/opt/unified_scheduler/src/abseil-cpp",
            what = "Abseil sources for the mingw build",
            stub_targets = [
                "absl/container:btree",
                "absl/container:flat_hash_map",
                "absl/container:flat_hash_set",
                "absl/status",
                "absl/status:statusor",
                "absl/strings",
                "absl/strings:str_format",
                "absl/synchronization",
                "absl/time",
            ],
        )
    if not native.existing_rule("mingw_gtest"):
        mingw_source_repository(
            name = "mingw_gtest",
            path = "/usr/src/googletest",
            build_file = Label("//third_party/mingw:mingw_gtest.BUILD"),
            what = "GoogleTest sources (Debian package googletest)",
            stub_targets = [":gtest", ":gtest_main", ":gmock"],
        )
