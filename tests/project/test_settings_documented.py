"""Every setting the product reads from the environment has its row in the README's table."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(r"""(?:os\.environ\.get|env_bool|env_list)\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def environment_names() -> set[str]:
    return set(READ.findall((ROOT / "launchbook" / "settings.py").read_text()))


def test_the_settings_file_reads_its_environment_through_the_known_readers():
    names = environment_names()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SECURE_SSL_REDIRECT"} <= names


def test_every_environment_setting_has_a_row_in_the_readme():
    table = {
        name
        for line in (ROOT / "README.md").read_text().splitlines()
        if line.startswith("| `")
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])
    }
    missing = sorted(environment_names() - table)
    assert not missing, f"settings read from the environment but not in the README's table: {missing}"
