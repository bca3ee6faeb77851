#!/usr/bin/env bash
# Starts the Celery worker (with beat) and the web server; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
BIN=.venv/bin

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

mkdir -p var var/mail
# The demo's e-mail (notifications, password resets) goes to files, not to a mail server.
export EMAIL_BACKEND=${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}
export EMAIL_FILE_PATH=${EMAIL_FILE_PATH:-var/mail}
$BIN/celery -A launchbook worker --beat --loglevel=INFO --concurrency=2 \
  --schedule var/celerybeat-schedule >var/worker.log 2>&1 &
pids+=($!)

cat <<TXT

  Launchbook is starting on http://$HOST:$PORT/
    Operator admin:   http://$HOST:$PORT/admin/
    Customer portal:  http://$HOST:$PORT/portal/
    API docs:         http://$HOST:$PORT/api/docs/
  Demo logins (password: ${LAUNCHBOOK_DEMO_PASSWORD:-launchbook-demo}):
    operator     staff, all providers        (admin)
    expace-ops   staff, ExPace only          (admin)
    gomspace, interspace, jilin, cmsa        (portal, one customer each)
  Celery worker and beat log: var/worker.log.   E-mail sent: var/mail/.
  Ctrl-C stops everything.

TXT
$BIN/python manage.py runserver "$HOST:$PORT" --noreload &
pids+=($!)
wait -n "${pids[@]}"
