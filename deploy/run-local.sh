#!/usr/bin/env bash
# The production recipe of docs/operations.md run on this machine without systemd: two app
# servers (gunicorn, through `copps serve`, as copps-web@.service runs it) on two ports and two
# workers (`copps worker`, as copps-worker@.service runs it), all on one PostgreSQL database and
# one Redis cache. It checks /healthz on both app servers, queues a job, waits until a worker
# has done it, and stops everything it started.
#
#   COPPS_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/copps_recipe deploy/run-local.sh
#
# Environment (beside the COPPS_* variables, which pass through):
#   PYTHON      the Python that has copps installed (default: python3)
#   WEB_PORTS   the two app servers' ports (default: "8101 8102")
#   DEADLINE    seconds to wait for each step (default: 300; generous on a busy machine)
# COPPS_CACHE_URL defaults to redis://127.0.0.1:6379/0 and COPPS_DATA_DIR to a new temporary
# folder. The database must exist; it is migrated here. Exit status 0 means the recipe worked.
set -euo pipefail

PYTHON=${PYTHON:-python3}
WEB_PORTS=${WEB_PORTS:-"8101 8102"}
DEADLINE=${DEADLINE:-300}
: "${COPPS_DATABASE_URL:?set COPPS_DATABASE_URL to a postgresql:// database}"
case "$COPPS_DATABASE_URL" in
  postgresql://* | postgres://*) ;;
  *) echo "run-local.sh: the recipe runs on PostgreSQL, not ${COPPS_DATABASE_URL%%:*}" >&2; exit 2 ;;
esac
export COPPS_CACHE_URL=${COPPS_CACHE_URL:-redis://127.0.0.1:6379/0}
export COPPS_DATA_DIR=${COPPS_DATA_DIR:-$(mktemp -d)}
export COPPS_STATIC_ROOT=${COPPS_STATIC_ROOT:-$COPPS_DATA_DIR/static}
# production mode, behind a TLS-terminating proxy (here: curl says it came over HTTPS)
export COPPS_MODE=production COPPS_TLS=true COPPS_TLS_PROXY=true COPPS_LOG_FORMAT=${COPPS_LOG_FORMAT:-json}
if [ -z "${COPPS_SECRET_KEY:-}" ] && [ -z "${COPPS_SECRET_KEY_FILE:-}" ]; then
  COPPS_SECRET_KEY=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')
  export COPPS_SECRET_KEY
fi
LOGS=${LOGS:-$COPPS_DATA_DIR/logs}
mkdir -p "$LOGS"

copps() { "$PYTHON" -m copps.cli "$@"; }
say() { echo "run-local: $*"; }

PIDS=()
stop_all() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ ${#PIDS[@]} -eq 0 ] || say "stopped pids ${PIDS[*]}"
}
trap stop_all EXIT

say "migrating $COPPS_DATABASE_URL"
copps migrate --verbosity 0
copps collectstatic --noinput --verbosity 0

n=0
declare -A WEB_PID
for port in $WEB_PORTS; do
  n=$((n + 1))
  copps serve --bind "127.0.0.1:$port" --workers 2 --timeout 120 >"$LOGS/web-$port.log" 2>&1 &
  PIDS+=($!)
  WEB_PID[$port]=$!
  copps worker --worker-id "local-$n" >"$LOGS/worker-$n.log" 2>&1 &
  PIDS+=($!)
done
say "started app servers on ports $WEB_PORTS and $n workers, pids ${PIDS[*]} (logs in $LOGS)"

healthz() {  # the body of /healthz on port $1, or nothing while it does not answer 200
  curl --silent --fail --max-time 60 -H 'X-Forwarded-Proto: https' -H 'X-Request-ID: run-local' \
    "http://127.0.0.1:$1/healthz" || true
}
for port in $WEB_PORTS; do
  end=$((SECONDS + DEADLINE))
  until body=$(healthz "$port") && [ -n "$body" ]; do
    if ! kill -0 "${WEB_PID[$port]}" 2>/dev/null; then  # it will never answer: say why now
      say "the app server on port $port stopped before answering"; tail -n 30 "$LOGS/web-$port.log" >&2; exit 1
    fi
    if [ $SECONDS -ge $end ]; then
      say "no healthy answer on port $port after ${DEADLINE}s"; tail -n 30 "$LOGS/web-$port.log" >&2; exit 1
    fi
    sleep 1
  done
  case "$body" in
    *'"status": "ok"'*) say "healthz ok on 127.0.0.1:$port: $body" ;;
    *) say "unexpected /healthz on port $port: $body"; exit 1 ;;
  esac
done

job=$(copps jobs enqueue publish-refresh | awk '/^queued job /{print $3}')
[ -n "$job" ] || { say "no job was queued"; exit 1; }
say "queued job $job"
end=$((SECONDS + DEADLINE))
while :; do
  status=$(copps jobs list --json --limit 50 | "$PYTHON" -c '
import json, sys
rows = [json.loads(line) for line in sys.stdin if line.strip()]
print(next((r["status"] for r in rows if r["id"] == sys.argv[1]), "MISSING"))' "$job")
  case "$status" in
    SUCCESSFUL) break ;;
    FAILED | MISSING) say "job $job is $status"; tail -n 30 "$LOGS"/worker-*.log >&2; exit 1 ;;
  esac
  if [ $SECONDS -ge $end ]; then say "job $job still $status after ${DEADLINE}s"; exit 1; fi
  sleep 1
done
say "job $job SUCCESSFUL"
say "recipe ok"
