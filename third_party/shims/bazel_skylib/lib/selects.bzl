"""The part of skylib's `selects` that Abseil uses: `config_setting_group`.

Only what the mingw source build of Abseil needs; not a general replacement for bazel_skylib.
"""

def _config_setting_group(name, match_any = [], match_all = [], visibility = None):
    """A config setting that matches when any (or all) of the given settings match.

    match_any is a chain of aliases, each trying one setting and falling back to the next, so no
    select() ever has two matching keys (which Bazel rejects when neither refines the other).
    match_all nests the other way: each link matches only if its setting and the rest do.
    """
    if bool(match_any) == bool(match_all):
        fail("config_setting_group %s: give exactly one of match_any and match_all" % name)
    settings = match_any or match_all
    links = [name] + ["%s__%d" % (name, i) for i in range(1, len(settings))]
    for i, setting in enumerate(settings):
        last = i == len(settings) - 1
        rest = setting if last else ":" + links[i + 1]
        if match_any:
            actual = select({setting: setting, "//conditions:default": rest})
        else:
            # Follows the chain while settings match; the first one that does not match is what
            # the whole group then resolves to, so the group does not match either.
            actual = select({setting: rest, "//conditions:default": setting})
        native.alias(
            name = links[i],
            actual = actual,
            visibility = visibility if i == 0 else ["//visibility:private"],
        )

selects = struct(config_setting_group = _config_setting_group)
