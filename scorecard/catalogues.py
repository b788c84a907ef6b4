"""Reading gettext catalogues (.po files), for the translation tests (tests/scorecard/test_translations.py) and the
list of library strings we translate ourselves (scorecard/third_party_strings.py). No Django import: it reads files.

Enough of the format for those two: comments (`#:` references, `#,` flags), `msgctxt`, `msgid`, `msgid_plural`,
`msgstr` and `msgstr[n]`, strings continued over several lines; obsolete `#~` entries are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)  # "path/to/file.py:12"
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def translated(self) -> bool:
        """Every form has a translation, and none is marked fuzzy (msgfmt leaves fuzzy ones out)."""
        return bool(self.msgstr) and all(self.msgstr.values()) and "fuzzy" not in self.flags


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"{where}: not a quoted string: {text!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, the header first (its msgid is empty)."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None  # what a continued line adds to

    def finish() -> None:
        nonlocal entry, target
        if entry.line:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        where = f"{path}:{number}"
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#"):
            if entry.line:  # a comment after an entry's strings starts the next entry
                finish()
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            elif line.startswith("#:"):
                entry.references += line[2:].split()
        elif line.startswith('"'):
            if target is None:
                raise ValueError(f"{where}: a continued string with nothing to continue")
            kind, index = target
            value = _unquote(line, where)
            if kind == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, kind, (getattr(entry, kind) or "") + value)
        else:
            keyword, _space, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and entry.msgstr:  # the next entry, without a blank line
                finish()
            entry.line = entry.line or number
            if keyword in ("msgctxt", "msgid", "msgid_plural"):
                setattr(entry, keyword, _unquote(rest, where))
                target = (keyword, 0)
            elif re.fullmatch(r"msgstr(\[\d+\])?", keyword):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                entry.msgstr[index] = _unquote(rest, where)
                target = ("msgstr", index)
            else:
                raise ValueError(f"{where}: cannot read {raw!r}")
    finish()
    return entries
