"""Start Launchbook's production stack on loopback for benchmarks and fault runs.

gunicorn, a Celery worker and Celery beat, each a child process, on a fresh PostgreSQL database
and a Redis database of their own. Everything binds to 127.0.0.1 and stops when the run ends.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# Runs side by side on one machine each take a database and a Redis db of their own.
DATABASE_OVERRIDE = os.environ.get("BENCH_DATABASE", "")
REDIS_DB_OVERRIDE = os.environ.get("BENCH_REDIS_DB", "")
# The stack runs with DEBUG off, where the demo accounts need a password of their own.
os.environ.setdefault("LAUNCHBOOK_DEMO_PASSWORD", "bench-demo-password-not-for-production")


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(name: str) -> str:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def terminate_connections(database: str) -> int:
    """Drop every client connection to ``database`` (a fault run)."""
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        ).fetchall()
    return len(rows)


class Stack:
    """The running processes of one benchmark run."""

    def __init__(
        self,
        name: str,
        *,
        redis_db: int = 9,
        web_workers: int = 3,
        worker_concurrency: int = 2,
        settings_env: dict[str, str] | None = None,
    ):
        """``settings_env``: settings the product reads (e.g. ``LAUNCHBOOK_API_RATE_USER``), for this
        stack's processes only. ``BENCH_DATABASE`` and ``BENCH_REDIS_DB`` override the database name
        (``lb_bench_<name>``) and the Redis db."""
        self.name = name
        self.database = DATABASE_OVERRIDE or f"lb_bench_{name}"
        self.redis_url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB_OVERRIDE or redis_db}"
        self.settings_env = dict(settings_env or {})
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.web_workers = web_workers
        self.worker_concurrency = worker_concurrency
        self.var_dir = Path(tempfile.mkdtemp(prefix=f"launchbook-bench-{name}-"))
        self.processes: dict[str, subprocess.Popen] = {}
        self.env: dict[str, str] = {}

    # -- set-up -------------------------------------------------------------------------------
    def prepare(self) -> None:
        database_url = recreate_database(self.database)
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}},
            "DATABASE_URL": database_url,
            "REDIS_URL": self.redis_url,
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-" + "k3Y9" * 12,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "LAUNCHBOOK_VAR_DIR": str(self.var_dir),
            "PYTHONUNBUFFERED": "1",
            **self.settings_env,
        }
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("load_demo")

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [str(BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def _spawn(self, role: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.var_dir / f"{role}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes[role] = proc
        return proc

    def start_web(self) -> None:
        self._spawn(
            "web",
            [
                str(BIN / "gunicorn"),
                "launchbook.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.web_workers),
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--timeout",
                "60",
                "--access-logfile",
                "-",
                "--access-logformat",
                '%(t)s "%(r)s" %(s)s %(M)s',
            ],
        )
        # On the shared 2-core machine under load, three workers importing Django take a while.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base_url}/health/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /health/ within 180 s")

    def start_worker(self, role: str = "worker") -> subprocess.Popen:
        return self._spawn(
            role,
            [
                str(BIN / "celery"),
                "-A",
                "launchbook",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={self.worker_concurrency}",
                "--hostname",
                f"{role}-{self.name}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
        )

    def start_beat(self) -> subprocess.Popen:
        return self._spawn(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "launchbook",
                "beat",
                "--loglevel=INFO",
                "--schedule",
                str(self.var_dir / "celerybeat-schedule"),
            ],
        )

    def start_all(self) -> None:
        self.prepare()
        self.start_worker()
        self.start_beat()
        self.start_web()

    # -- faults and tear-down -------------------------------------------------------------------
    def kill(self, role: str, sig: int = signal.SIGKILL) -> None:
        proc = self.processes.pop(role, None)
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if sig == signal.SIGKILL and role.startswith("worker"):
            # A SIGKILLed Celery parent leaves its pool children orphaned; they die with their pipes,
            # but make sure nothing of this worker outlives the run.
            subprocess.run(["pkill", "-9", "-f", f"{role}-{self.name}@"], check=False)

    def stop(self) -> None:
        for role in list(self.processes):
            self.kill(role, signal.SIGTERM)

    def __enter__(self) -> Stack:
        try:
            self.start_all()
        except BaseException:
            self.stop()  # a stack that failed to start leaves no worker, beat or server running
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
