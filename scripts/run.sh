#!/usr/bin/env bash
# Starts the background worker and the web server for `make run`; stops both on Ctrl-C.
set -euo pipefail
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
PY=.venv/bin/python
mkdir -p var

$PY manage.py run_huey --workers 2 --logfile var/huey.log >/dev/null 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM

$PY manage.py demo_logins --address "http://$HOST:$PORT"
exec_gunicorn() {
  .venv/bin/gunicorn config.wsgi:application --bind "$HOST:$PORT" --workers 2 --threads 4 \
    --access-logfile - --error-logfile - --log-level warning
}
exec_gunicorn
