"""External repositories of the unified_scheduler workspace, all offline.

Nothing can be downloaded on our machines, so every repository Bazel 4 would fetch is replaced by
a local one, and system libraries come from Debian packages under /usr.

Call `unified_scheduler_dependencies()` from a WORKSPACE. It works both in this repository and in
a workspace that imports this one with
`local_repository(name = "unified_scheduler", path = ...)`: every file is named with `Label()`,
which resolves relative to *this* .bzl file's repository rather than the calling workspace.
"""

load("//third_party/mingw:repositories.bzl", "mingw_source_repositories")

def _shim_repository_impl(rctx):
    # A repository rule, not `native.local_repository`, because local_repository needs a path and
    # we only know the shim files by label; `rctx.path(label)` turns a label into an absolute path
    # wherever this repository is checked out. Symlinks keep the shims editable in one place, and
    # Bazel refetches the repository when a labelled file changes.
    for src, dest in rctx.attr.files.items():
        rctx.symlink(rctx.path(src), dest)

_shim_repository = repository_rule(
    implementation = _shim_repository_impl,
    attrs = {
        "files": attr.label_keyed_string_dict(
            allow_files = True,
            mandatory = True,
            doc = "Source file -> path inside the new repository.",
        ),
    },
    local = True,
    doc = "Small repository assembled from files kept in //third_party/shims.",
)

def _shim_files(shim, paths):
    # Shim BUILD/WORKSPACE files are stored as `*.shim` so that they do not turn directories of
    # *this* workspace into packages; they get their real names inside the shim repository.
    return {
        Label("//third_party:shims/%s/%s" % (shim, path)): path.replace(".shim", "")
        for path in paths
    }

# name -> BUILD file in //third_party. Each is a `new_local_repository` on /usr, so headers are
# declared inputs of the build (Bazel notices a Debian upgrade) and the .so files are linked with
# plain `-l` flags from the default library path.
_SYSTEM_LIBRARIES = {
    "system_absl": "system_absl.BUILD",
    "system_benchmark": "system_benchmark.BUILD",
    "system_boost": "system_boost.BUILD",
    "system_gflags": "system_gflags.BUILD",
    "system_gtest": "system_gtest.BUILD",
    "system_tbb": "system_tbb.BUILD",
}

# Where third_party/libdispatch/fetch_libdispatch.sh (run by tools/install_deps.sh) puts Apple's
# libdispatch as built for Linux by Debian trixie.
LIBDISPATCH_DIR = "/opt/unified_scheduler/libdispatch"

def _libdispatch_repository_impl(rctx):
    # Like new_local_repository, but a missing directory (the fetch never ran, or not Linux) is
    # not an error for the whole build: @libdispatch then holds only incompatible targets, so
    # the macOS-on-Linux tests are skipped (and counted as skipped) instead of failing //...
    path = rctx.path(rctx.attr.path)
    if path.get_child("lib").get_child("libdispatch.so").exists:
        for child in ["include", "lib", "VERSION"]:
            rctx.symlink(path.get_child(child), child)
        rctx.symlink(rctx.attr.build_file, "BUILD.bazel")
    else:
        # buildifier: disable=print
        print(("%s has no lib/libdispatch.so, so the tests of //platforms/mac on the real " +
               "libdispatch are skipped. Run third_party/libdispatch/fetch_libdispatch.sh, " +
               "then `bazel sync --only=libdispatch`.") % path)
        rctx.file("BUILD.bazel", """# {path}/lib/libdispatch.so is missing: run
# third_party/libdispatch/fetch_libdispatch.sh.
cc_library(
    name = "libdispatch",
    target_compatible_with = ["@platforms//:incompatible"],
    visibility = ["//visibility:public"],
)
""".format(path = path))
    rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.name)

_libdispatch_repository = repository_rule(
    implementation = _libdispatch_repository_impl,
    attrs = {
        "path": attr.string(mandatory = True),
        "build_file": attr.label(allow_single_file = True, mandatory = True),
    },
    # Re-run when Bazel re-checks local repositories (e.g. `bazel sync`), so that a fetch made
    # after the first build is noticed.
    local = True,
)

def _optional_system_library_impl(rctx):
    # new_local_repository on /usr when the Debian package is installed (its `marker` file exists);
    # otherwise a BUILD file of incompatible targets, so that what needs the library is skipped
    # (and counted as skipped) with the message below instead of failing the whole of //...
    if rctx.path("/usr/" + rctx.attr.marker).exists:
        rctx.symlink(rctx.path("/usr/include"), "include")
        rctx.symlink(rctx.attr.build_file, "BUILD.bazel")
    else:
        # buildifier: disable=print
        print(("/usr/%s is missing (Debian's %s is not installed), so the targets that need " +
               "@%s are skipped. Run tools/install_deps.sh, then `bazel sync --only=%s`.") %
              (rctx.attr.marker, rctx.attr.package, rctx.name, rctx.name))
        rctx.file("BUILD.bazel", "\n".join([
            "# /usr/%s is missing: install Debian's %s (tools/install_deps.sh)." %
            (rctx.attr.marker, rctx.attr.package),
            "[cc_library(",
            "    name = name,",
            "    target_compatible_with = [\"@platforms//:incompatible\"],",
            "    visibility = [\"//visibility:public\"],",
            ") for name in %r]" % rctx.attr.targets,
            "",
        ]))
    rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.name)

_optional_system_library = repository_rule(
    implementation = _optional_system_library_impl,
    attrs = {
        "build_file": attr.label(allow_single_file = True, mandatory = True),
        "marker": attr.string(mandatory = True, doc = "A file under /usr the package installs."),
        "package": attr.string(mandatory = True, doc = "The Debian package, for the message."),
        "targets": attr.string_list(mandatory = True, doc = "The build_file's public targets."),
    },
    # Re-checked by `bazel sync`, so that installing the package later is noticed.
    local = True,
)

def _maybe(rule, name, **kwargs):
    # A consumer may declare the same repository itself (or call this macro after declaring its
    # own @platforms); the first declaration wins instead of failing on a duplicate name.
    if not native.existing_rule(name):
        rule(name = name, **kwargs)

def unified_scheduler_dependencies():
    """Declares every external repository unified_scheduler needs, without network access."""
    _maybe(
        _shim_repository,
        name = "rules_cc",
        files = _shim_files("rules_cc", [
            "WORKSPACE.shim",
            "BUILD.shim",
            "cc/BUILD.shim",
            "cc/defs.bzl",
        ]),
    )
    _maybe(
        _shim_repository,
        name = "rules_java",
        files = _shim_files("rules_java", [
            "WORKSPACE.shim",
            "BUILD.shim",
            "java/BUILD.shim",
            "java/defs.bzl",
        ]),
    )
    _maybe(
        _shim_repository,
        name = "remote_coverage_tools",
        files = _shim_files("remote_coverage_tools", [
            "WORKSPACE.shim",
            "BUILD.shim",
        ]),
    )

    # Only Abseil's BUILD files load it, in the mingw source build (third_party/mingw/).
    _maybe(
        _shim_repository,
        name = "bazel_skylib",
        files = _shim_files("bazel_skylib", [
            "WORKSPACE.shim",
            "BUILD.shim",
            "lib/BUILD.shim",
            "lib/selects.bzl",
        ]),
    )

    # From Debian's bazel-platforms package; gives @platforms//os:* for select().
    _maybe(
        native.local_repository,
        name = "platforms",
        path = "/usr/share/bazel/tools/platforms",
    )

    for name, build_file in _SYSTEM_LIBRARIES.items():
        _maybe(
            native.new_local_repository,
            name = name,
            path = "/usr",
            build_file = str(Label("//third_party:" + build_file)),
        )

    # Xlib, for the search box's X11 window (gpui_integration/examples); optional, like
    # libdispatch: without libx11-dev that example and its test are skipped.
    _maybe(
        _optional_system_library,
        name = "system_x11",
        build_file = Label("//third_party:system_x11.BUILD"),
        marker = "include/X11/Xlib.h",
        package = "libx11-dev",
        targets = ["x11"],
    )

    # Apple's libdispatch built for Linux (a shared library and headers, see
    # third_party/libdispatch/); only the tests of the macOS dispatcher use it.
    _maybe(
        _libdispatch_repository,
        name = "libdispatch",
        path = LIBDISPATCH_DIR,
        build_file = Label("//third_party/libdispatch:libdispatch.BUILD"),
    )

    # Abseil and GoogleTest sources for --config=windows (stubs where they are not installed).
    mingw_source_repositories()
