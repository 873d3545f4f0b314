""".dockerignore parsing and matching, from case tables following moby's patternmatcher tests."""

from __future__ import annotations

import pytest

from aiodocker_engine._build_context import PatternMatcher, go_clean, parse_dockerignore

# (pattern, path, excluded): one pattern at a time, parents included (MatchesOrParentMatches).
SINGLE_PATTERN_CASES: list[tuple[str, str, bool]] = [
    ("**", "file", True),
    ("**", "file/", True),
    ("**/", "file", True),
    ("**/", "file/", True),
    ("**", "/", True),
    ("**/", "/", True),
    ("**", "dir/file", True),
    ("**/", "dir/file", True),
    ("**", "dir/file/", True),
    ("**/**", "dir/file", True),
    ("**/**", "dir/file/", True),
    ("dir/**", "dir/file", True),
    ("dir/**", "dir/file/", True),
    ("dir/**", "dir/dir2/file", True),
    ("dir/**", "dir/dir2/file/", True),
    ("**/dir", "dir", True),
    ("**/dir", "dir/file", True),
    ("**/dir2/*", "dir/dir2/file", True),
    ("**/dir2/*", "dir/dir2/file/", True),
    ("**/dir2/**", "dir/dir2/dir3/file", True),
    ("**/dir2/**", "dir/dir2/dir3/file/", True),
    ("**file", "file", True),
    ("**file", "dir/file", True),
    ("**/file", "dir/file", True),
    ("**file", "dir/dir/file", True),
    ("**/file", "dir/dir/file", True),
    ("**/file*", "dir/dir/file", True),
    ("**/file*", "dir/dir/file.txt", True),
    ("**/file*txt", "dir/dir/file.txt", True),
    ("**/file*.txt", "dir/dir/file.txt", True),
    ("**/file*.txt*", "dir/dir/file.txt", True),
    ("**/**/*.txt", "dir/dir/file.txt", True),
    ("**/**/*.txt2", "dir/dir/file.txt", False),
    ("**/*.txt", "file.txt", True),
    ("**/**/*.txt", "file.txt", True),
    ("a**/*.txt", "a/file.txt", True),
    ("a**/*.txt", "a/dir/file.txt", True),
    ("a**/*.txt", "a/dir/dir/file.txt", True),
    ("a/*.txt", "a/dir/file.txt", False),
    ("a/*.txt", "a/file.txt", True),
    ("a/*.txt**", "a/file.txt", True),
    ("a[b-d]e", "ae", False),
    ("a[b-d]e", "ace", True),
    ("a[b-d]e", "aae", False),
    ("a[^b-d]e", "aze", True),
    (".*", ".foo", True),
    (".*", "foo", False),
    ("abc.def", "abcdef", False),
    ("abc.def", "abc.def", True),
    ("abc.def", "abcZdef", False),
    ("abc?def", "abcZdef", True),
    ("abc?def", "abcdef", False),
    ("a\\\\", "a\\", True),
    ("**/foo/bar", "foo/bar", True),
    ("**/foo/bar", "dir/foo/bar", True),
    ("**/foo/bar", "dir/dir2/foo/bar", True),
    ("abc/**", "abc", False),
    ("abc/**", "abc/def", True),
    ("abc/**", "abc/def/ghi", True),
    ("**/.foo", ".foo", True),
    ("**/.foo", "bar.foo", False),
    ("a(b)c/def", "a(b)c/def", True),
    ("a(b)c/def", "a(b)c/xyz", False),
    ("a.|)$(}+{bc", "a.|)$(}+{bc", True),
    ("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", True),
    # "*" and "?" never cross a "/"; a directory match covers everything below it.
    ("*", "dir/file", True),
    ("*/file", "dir/file", True),
    ("*/file", "dir/sub/file", False),
    ("dir", "dir/sub/file", True),
    ("dir/sub", "dir/sub/file", True),
    ("di?", "dir/file", True),
    ("di?", "dirx", False),
    ("d*r", "d/r", False),
    ("file", "dir/file", False),
    # "**" prefixes match any ending, not only whole path components (patternmatcher quirk).
    ("**foo", "barfoo", True),
    ("**foo", "dir/barfoo", True),
    ("foo**", "foobar/x", True),
    # An escaped wildcard is literal.
    ("a\\*b", "a*b", True),
    ("a\\*b", "axb", False),
    ("a\\?", "a?", True),
    ("[[]x", "[x", True),
    ("a[-]b", "a-b", True),
    ("a[&~|]b", "a~b", True),
]


@pytest.mark.parametrize(("pattern", "path", "excluded"), SINGLE_PATTERN_CASES)
def test_single_pattern_matches_like_patternmatcher(
    pattern: str, path: str, excluded: bool
) -> None:
    assert PatternMatcher([pattern]).matches(path) is excluded


# (patterns, {path: excluded}): order, negation and parents together.
SEQUENCE_CASES: list[tuple[list[str], dict[str, bool]]] = [
    (["*.md", "!README.md"], {"README.md": False, "x.md": True, "docs/x.md": False}),
    (["**/*.md", "!README.md"], {"README.md": False, "docs/x.md": True, "docs/README.md": True}),
    (["docs", "!docs/keep.md"], {"docs/keep.md": False, "docs/other.md": True, "docs": True}),
    (["!keep", "*"], {"keep": True, "other": True}),
    (["*", "!keep"], {"keep": False, "other": True, "keep/inner": False}),
    (["a", "!a/b", "a/b/c"], {"a/b/c/d": True, "a/b/x": False, "a/x": True}),
    (["dir/*", "!dir/file"], {"dir/file": False, "dir/other": True, "dir": False}),
    (["**", "!Dockerfile"], {"Dockerfile": False, "src/app.py": True}),
    (["node_modules", "!node_modules/keep"], {"node_modules/keep/x": False}),
    ([], {"anything": False}),
    (["."], {"anything": False}),
]


@pytest.mark.parametrize(("patterns", "expected"), SEQUENCE_CASES)
def test_pattern_sequences(patterns: list[str], expected: dict[str, bool]) -> None:
    matcher = PatternMatcher(patterns)
    assert {path: matcher.matches(path) for path in expected} == expected


def test_the_context_root_is_never_excluded() -> None:
    assert PatternMatcher(["**", "*"]).matches(".") is False


def test_negations_inside_an_excluded_directory_are_found() -> None:
    matcher = PatternMatcher(["docs", "!docs/keep.md", "build"])
    assert matcher.exclusions
    assert matcher.may_include_under("docs")
    assert not matcher.may_include_under("build")
    assert not matcher.may_include_under("doc")


# (file text, patterns): dockerignore.ReadAll.
READ_CASES: list[tuple[str, list[str]]] = [
    ("", []),
    ("\n\n   \n", []),
    ("# a comment\nfoo\n", ["foo"]),
    (
        " # not a comment: the hash is not in column 0\n",
        ["# not a comment: the hash is not in column 0"],
    ),
    ("foo   \n\tbar\t\n", ["foo", "bar"]),
    ("/foo\n!/bar\n", ["foo", "!bar"]),
    ("./foo\nfoo/../bar\nfoo//baz/\n", ["foo", "bar", "foo/baz"]),
    ("/\n", ["/"]),
    ("!  spaced \n", ["!spaced"]),
    ("\ufeffbom-first\n\ufeffbom-later\n", ["bom-first", "\ufeffbom-later"]),
    ("crlf\r\nlines\r\n", ["crlf", "lines"]),
    ("../outside\n", ["../outside"]),
    ("!\n", ["!"]),
]


@pytest.mark.parametrize(("text", "patterns"), READ_CASES)
def test_parse_dockerignore_like_read_all(text: str, patterns: list[str]) -> None:
    assert parse_dockerignore(text) == patterns


@pytest.mark.parametrize(
    ("pattern", "message"),
    [("!", "illegal exclusion"), ("a[", "unclosed"), ("a\\", "escape"), ("[z-a]", "not valid")],
)
def test_invalid_patterns_raise_naming_the_pattern(pattern: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        PatternMatcher([pattern], source="ctx/.dockerignore")
    assert "ctx/.dockerignore" in str(caught.value)


@pytest.mark.parametrize(
    ("path", "cleaned"),
    [("", "."), ("a//b", "a/b"), ("//a", "/a"), ("///a", "/a"), ("a/./b/..", "a"), ("/..", "/")],
)
def test_go_clean(path: str, cleaned: str) -> None:
    assert go_clean(path) == cleaned


def test_the_walk_uses_the_directory_results_and_the_build_file_check_the_parents() -> None:
    matcher = PatternMatcher(["**/*.pyc", "!src"])
    src_excluded, src_hits = matcher.matches_below("src", None)
    assert (src_excluded, src_hits) == (False, [False, False])  # "!src" is never tried
    assert matcher.matches_below("src/a.pyc", src_hits) == (True, [True, False])
    assert matcher.matches("src/a.pyc") is False  # a parent matches "!src"


def test_a_pattern_that_matched_the_directory_matches_its_members() -> None:
    matcher = PatternMatcher(["vendor", "!vendor/keep"])
    excluded, hits = matcher.matches_below("vendor", None)
    assert (excluded, hits) == (True, [True, False])
    assert matcher.matches_below("vendor/drop", hits)[0] is True
    keep_excluded, keep_hits = matcher.matches_below("vendor/keep", hits)
    assert (keep_excluded, keep_hits) == (False, [True, True])
    assert matcher.matches_below("vendor/keep/y", keep_hits)[0] is False
