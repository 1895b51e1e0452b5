"""A short, readable string matching a regular expression, built from the pattern's parse tree.

Auto-mocked values must satisfy ``Field(pattern=...)`` without the seconds a search-based
generator spends on its first use. The pattern is parsed with the standard library's own
regular-expression parser (``re._parser``, the module ``sre_parse`` re-exports) and walked once:
each character class gives its most readable member (``a``, ``0``, ``A``...), each repeat its
minimum count plus ``extra``. The result is checked with :func:`re.search` (JSON Schema's
semantics), so a pattern this walk cannot satisfy (look-arounds, back-references to groups it
skipped) gives ``None`` and the caller falls back to a search.
"""

from __future__ import annotations

import re
import string
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

__all__ = ["pattern_example"]

# The order in which characters are tried for a class: readable ones first.
_READABLE = (
    "a0A-_ .:/@" + string.ascii_lowercase[1:] + string.digits[1:] + string.ascii_uppercase[1:]
)
_CANDIDATES = _READABLE + "".join(c for c in string.printable if c not in _READABLE)

_CATEGORY_CHARS: dict[Any, str] = {
    sre_constants.CATEGORY_DIGIT: string.digits,
    sre_constants.CATEGORY_NOT_DIGIT: _CANDIDATES.translate(str.maketrans("", "", string.digits)),
    sre_constants.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    sre_constants.CATEGORY_NOT_WORD: " -.:/@",
    sre_constants.CATEGORY_SPACE: " ",
    sre_constants.CATEGORY_NOT_SPACE: _CANDIDATES.replace(" ", ""),
    sre_constants.CATEGORY_LINEBREAK: "\n",
    sre_constants.CATEGORY_NOT_LINEBREAK: _CANDIDATES,
}

_REPEATS = {
    sre_constants.MAX_REPEAT,
    sre_constants.MIN_REPEAT,
    *([sre_constants.POSSESSIVE_REPEAT] if hasattr(sre_constants, "POSSESSIVE_REPEAT") else []),
}


class _Unsupported(Exception):
    """The walk met a construct it does not build (the caller falls back to a search)."""


def pattern_example(pattern: str, *, extra: int = 0) -> str | None:
    """A string in which ``re.search(pattern, ...)`` succeeds, or None when none was built.

    Every repeat is taken its minimum number of times plus ``extra`` (within its maximum), so
    callers that need a longer string (a ``min_length``) ask again with a larger ``extra``.
    """
    try:
        tree = sre_parse.parse(pattern)
        text = _build(tree, extra, {})
    except (re.error, _Unsupported, RecursionError, ValueError, TypeError):
        return None
    return text if re.search(pattern, text) else None


def _build(items: Any, extra: int, groups: dict[int, str]) -> str:
    return "".join(_node(op, arg, extra, groups) for op, arg in items)


def _node(op: Any, arg: Any, extra: int, groups: dict[int, str]) -> str:
    if op is sre_constants.LITERAL:
        return chr(arg)
    if op is sre_constants.NOT_LITERAL:
        return next(c for c in _CANDIDATES if ord(c) != arg)
    if op is sre_constants.ANY:
        return "a"
    if op is sre_constants.IN:
        return _from_class(arg)
    if op in _REPEATS:
        low, high, sub = arg
        count = low + extra
        if high is not sre_constants.MAXREPEAT:
            count = min(count, high)
        return "".join(_build(sub, extra, groups) for _ in range(count))
    if op is sre_constants.SUBPATTERN:
        group, _add_flags, _del_flags, sub = arg
        text = _build(sub, extra, groups)
        if group is not None:
            groups[group] = text
        return text
    if op is sre_constants.ATOMIC_GROUP:
        return _build(arg, extra, groups)
    if op is sre_constants.BRANCH:
        return _build(arg[1][0], extra, groups)
    if op is sre_constants.GROUPREF:
        if arg not in groups:
            raise _Unsupported("a back-reference to a group not built")
        return groups[arg]
    if op is sre_constants.GROUPREF_EXISTS:
        group, yes, no = arg
        return _build(yes if group in groups else (no or []), extra, groups)
    if op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return ""  # anchors and look-arounds consume nothing; re.search checks the result
    raise _Unsupported(f"regular-expression construct {op}")


def _in_class(char: str, items: list[tuple[Any, Any]]) -> bool:
    code = ord(char)
    for op, arg in items:
        if op is sre_constants.LITERAL and code == arg:
            return True
        if op is sre_constants.RANGE and arg[0] <= code <= arg[1]:
            return True
        if op is sre_constants.CATEGORY and char in _CATEGORY_CHARS.get(arg, ""):
            return True
    return False


def _from_class(items: list[tuple[Any, Any]]) -> str:
    if items and items[0][0] is sre_constants.NEGATE:
        rest = items[1:]
        for char in _CANDIDATES:
            if not _in_class(char, rest):
                return char
        raise _Unsupported("a negated class that excludes every printable character")
    for char in _CANDIDATES:
        if _in_class(char, items):
            return char
    for op, arg in items:  # only non-printable members: take the first one
        if op is sre_constants.LITERAL:
            return chr(arg)
        if op is sre_constants.RANGE:
            return chr(arg[0])
    raise _Unsupported("an empty character class")
