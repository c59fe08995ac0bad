"""What changed between two versions of a text, word by word: for an item's history and for translators.

Texts are compared field by field, by their path (`title`, `steps.2.description`), so a translator sees
which of the fields they translated changed, and how. Words removed are `<del>`, words added `<ins>`,
everything else escaped. Very long texts are shown whole as removed and added: a word diff of two
novels would cost more than it helps (difflib is quadratic at worst).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

MAX_TOKENS = 8_000
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Change:
    path: str
    state: str
    """'added', 'removed' or 'changed'."""
    before: str
    after: str

    @property
    def marked(self) -> Markup:
        return inline(self.before, self.after)


def compare(before: dict[str, str], after: dict[str, str]) -> list[Change]:
    """The fields that differ, in the order of the newer text (removed fields last)."""
    changes = []
    for path, text in after.items():
        old = before.get(path)
        if old is None:
            changes.append(Change(path, "added", "", text))
        elif old != text:
            changes.append(Change(path, "changed", old, text))
    changes += [Change(path, "removed", text, "") for path, text in before.items() if path not in after]
    return changes


def inline(before: str, after: str) -> Markup:
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    if len(old) > MAX_TOKENS or len(new) > MAX_TOKENS:
        return _wrap("del", before) + _wrap("ins", after)
    parts: list[Markup] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(escape("".join(old[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            parts.append(_wrap("del", "".join(old[i1:i2])))
        if tag in ("insert", "replace"):
            parts.append(_wrap("ins", "".join(new[j1:j2])))
    return Markup("").join(parts)


TAGS = {"del": Markup("<del>{}</del>"), "ins": Markup("<ins>{}</ins>")}


def _wrap(tag: str, text: str) -> Markup:
    return TAGS[tag].format(text) if text else Markup("")
