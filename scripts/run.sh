#!/usr/bin/env bash
# Starts the background worker, the device simulator (and MQTT ingest) and the web server for `make run`;
# stops them all on Ctrl-C.
set -euo pipefail
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
PY=.venv/bin/python
mkdir -p var

$PY manage.py run_huey --workers 2 --logfile var/huey.log >/dev/null 2>&1 &
WORKER=$!
PIDS="$WORKER"
trap 'kill $PIDS 2>/dev/null || true' EXIT INT TERM

# Smart terminals: a small simulator keeps the demo's alarm wall alive (var/devices.log). Over HTTP into
# this server by default; with MQTT_URL set, through the broker and an ingest worker.
if [ -n "${MQTT_URL:-}" ]; then
  $PY manage.py ingest_devices --url "$MQTT_URL" >>var/devices.log 2>&1 &
  PIDS="$PIDS $!"
  SIM_MODE="--mqtt --mqtt-url $MQTT_URL"
else
  SIM_MODE="--http --rotate-secrets --http-url http://$HOST:$PORT"
fi
(sleep 8; exec $PY manage.py simulate_devices $SIM_MODE --rate 0.5 --seconds 0 --alarm-ratio 0.01) >>var/devices.log 2>&1 &
PIDS="$PIDS $!"

$PY manage.py demo_logins --address "http://$HOST:$PORT"
exec_gunicorn() {
  .venv/bin/gunicorn config.wsgi:application --bind "$HOST:$PORT" --workers 2 --threads 4 \
    --access-logfile var/access.log --error-logfile - --log-level warning
}
exec_gunicorn
