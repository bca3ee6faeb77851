"""Compile gettext catalogs (.po) into the binary .mo files Django reads, with the standard
library only: no GNU gettext (msgfmt) to install. ``make install`` runs it for every catalog under
locale/ that changed; the .mo files are built, never committed.

    python3 scripts/compile_messages.py locale/zh_Hans/LC_MESSAGES/django.po [...]

Fuzzy entries are left out (as msgfmt does): an unchecked translation is not shown.
The .mo layout follows CPython's Tools/i18n/msgfmt.py.
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


class _Entry:
    def __init__(self) -> None:
        self.fields: dict[str, str] = {}  # msgctxt, msgid, msgid_plural, msgstr0, msgstr1, ...
        self.fuzzy = False
        self.key = ""

    def message(self) -> tuple[bytes, bytes] | None:
        """(id, translation) as gettext stores them, or None for a fuzzy or untranslated entry
        (the header, msgid "", is always kept: it names the charset and the plural rule)."""
        fields = self.fields
        if "msgid" not in fields or (self.fuzzy and fields["msgid"]):
            return None
        msgid = fields["msgid"]
        if "msgid_plural" in fields:
            msgid += "\0" + fields["msgid_plural"]
        if "msgctxt" in fields:
            msgid = fields["msgctxt"] + "\x04" + msgid
        strs = [fields[k] for k in sorted(k for k in fields if k.startswith("msgstr"))]
        if not strs or not all(strs):
            return None
        return msgid.encode(), "\0".join(strs).encode()


def parse(po_text: str) -> dict[bytes, bytes]:
    """The catalog's translations: msgid (with context and plural forms joined as gettext
    does) → msgstr, fuzzy and untranslated entries left out. Entries are separated by blank lines."""
    messages: dict[bytes, bytes] = {}
    for block in po_text.split("\n\n"):
        entry = _Entry()
        for raw in block.splitlines():
            line = raw.strip()
            if line.startswith("#,") and "fuzzy" in line:
                entry.fuzzy = True
            elif line.startswith('"') and entry.key:
                entry.fields[entry.key] += _unquote(line)
            elif line and not line.startswith("#"):
                word, _, rest = line.partition(" ")
                entry.key = word.replace("[", "").replace("]", "") if word.startswith("msgstr[") else word
                entry.key = "msgstr0" if entry.key == "msgstr" else entry.key
                entry.fields[entry.key] = _unquote(rest)
        found = entry.message()
        if found:
            messages[found[0]] = found[1]
    return messages


def mo_bytes(messages: dict[bytes, bytes]) -> bytes:
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\0"
        strs += messages[key] + b"\0"
    keystart = 7 * 4 + 16 * len(keys)
    valuestart = keystart + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for id_offset, id_length, str_offset, str_length in offsets:
        koffsets += [id_length, id_offset + keystart]
        voffsets += [str_length, str_offset + valuestart]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    return (
        header
        + struct.pack(f"{len(koffsets)}i", *koffsets)
        + struct.pack(f"{len(voffsets)}i", *voffsets)
        + ids
        + strs
    )


def compile_catalog(po_path: Path) -> Path:
    mo_path = po_path.with_suffix(".mo")
    mo_path.write_bytes(mo_bytes(parse(po_path.read_text(encoding="utf-8"))))
    return mo_path


def main(paths: list[str]) -> None:
    for name in paths or [str(p) for p in Path("locale").glob("*/LC_MESSAGES/*.po")]:
        print(f"compiled {compile_catalog(Path(name))}")


if __name__ == "__main__":
    main(sys.argv[1:])
