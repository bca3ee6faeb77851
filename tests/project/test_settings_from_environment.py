"""Settings as the environment sets them, read by a fresh interpreter each time."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'database': settings.DATABASES['default']['OPTIONS'], "
    "'broker': settings.CELERY_BROKER_TRANSPORT_OPTIONS}))"
)
FROM_THE_ENVIRONMENT = {
    "DATABASE_URL",
    "REDIS_URL",
    "LAUNCHBOOK_DB_PREPARED_STATEMENTS",
    "LAUNCHBOOK_VAR_DIR",
}


def read_settings(**environment: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in FROM_THE_ENVIRONMENT}
    env.update({"DJANGO_SETTINGS_MODULE": "launchbook.settings", "DEBUG": "1", **environment})
    done = subprocess.run(
        [sys.executable, "-c", PRINT], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def database_options(**environment: str) -> dict:
    return read_settings(**environment)["database"]


POSTGRES = "postgres://postgres@127.0.0.1:5432/launchbook"


@pytest.mark.parametrize(
    ("environment", "kept"),
    [
        ({"DATABASE_URL": POSTGRES}, True),
        ({"DATABASE_URL": POSTGRES, "LAUNCHBOOK_DB_PREPARED_STATEMENTS": "1"}, True),
        ({"DATABASE_URL": POSTGRES, "LAUNCHBOOK_DB_PREPARED_STATEMENTS": "0"}, False),
    ],
)
def test_postgresql_keeps_query_plans_unless_told_not_to(environment, kept):
    options = database_options(**environment)
    # Django binds in the client and prepares nothing unless both are set.
    assert (options.get("server_side_binding"), options.get("prepare_threshold")) == (
        (True, 5) if kept else (None, None)
    )


def test_sqlite_is_left_as_it_is():
    options = database_options(DATABASE_URL="sqlite:///unused.sqlite3")
    assert "server_side_binding" not in options and options["transaction_mode"] == "IMMEDIATE"


def test_the_embedded_broker_keeps_every_folder_under_the_var_directory(tmp_path):
    broker = read_settings(DATABASE_URL="sqlite:///unused.sqlite3", LAUNCHBOOK_VAR_DIR=str(tmp_path))[
        "broker"
    ]
    folders = {
        name: Path(value) for name, value in broker.items() if name.endswith("_folder") or "_folder_" in name
    }
    assert set(folders) == {"data_folder_in", "data_folder_out", "data_folder_processed", "control_folder"}
    for name, folder in folders.items():
        assert folder.is_relative_to(tmp_path), f"{name} is {folder}, outside {tmp_path}"
