"""A portal page's title is words only: its ``{% block title %}`` closes before any markup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).resolve().parents[2] / "booking" / "templates" / "portal").glob("*.html"))
TITLE = re.compile(r"{%\s*block title\s*%}(.*?){%\s*endblock", re.S)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_the_title_block_holds_no_markup(path):
    for title in TITLE.findall(path.read_text()):
        assert "<" not in title and "\n" not in title.strip(), f"{path.name}: title block {title[:80]!r}"
