#!/usr/bin/env bash
# Runs every benchmark on the local PostgreSQL and Redis; each prints its figures and writes
# bench/results/<name>.json. Override with BENCHES="booking_race planner".
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/launchbook}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
mkdir -p bench/results
BENCHES=${BENCHES:-"booking_race planner reconciler load faults"}
for name in $BENCHES; do
  if [ -f "bench/$name.py" ]; then
    echo "=== bench/$name.py ==="
    .venv/bin/python "bench/$name.py"
  else
    echo "=== bench/$name.py: not present, skipped ==="
  fi
done
