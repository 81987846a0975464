#!/usr/bin/env bash
# A local single-node Kafka 4 (KRaft) broker on 127.0.0.1:9092 for tests and CI, without Docker.
#
#   scripts/kafka.sh start    resolve the jars (first time), format storage (first time), start, wait
#   scripts/kafka.sh stop     SIGTERM, wait for the JVM to exit
#   scripts/kafka.sh status   exit 0 when running
#   scripts/kafka.sh reset    stop, then delete every topic and offset (the next start formats anew)
#
# Jars come from Maven Central through scripts/kafka/pom.xml into .cache/kafka/lib; the broker's
# data, pid and log live in .kafka/ (both folders are ignored by git). Data survives stop/start,
# so a broker restart in the middle of a test loses nothing.
#
# KAFKA_PORT (default 9092) and KAFKA_CONTROLLER_PORT (default KAFKA_PORT + 1) move the broker, so
# a second one can run beside the first; its state then defaults to .kafka-<port>/ (KAFKA_STATE_DIR
# sets it). The tests use the broker on KAFKA_PORT too, unless KAFKA_BROKERS names another.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONF="$ROOT/scripts/kafka"
LIB="$ROOT/.cache/kafka/lib"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
if [[ "$PORT" == 9092 ]]; then DEFAULT_STATE="$ROOT/.kafka"; else DEFAULT_STATE="$ROOT/.kafka-$PORT"; fi
STATE="${KAFKA_STATE_DIR:-$DEFAULT_STATE}"
DATA="$STATE/data"
PID_FILE="$STATE/kafka.pid"
LOG_FILE="$STATE/kafka.log"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-60}"

say() { echo "kafka: $*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

running_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(cat "$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# Re-resolves only when pom.xml changed since the last complete download.
resolve_jars() {
  local stamp="$LIB/.pom.sha256" want
  want="$(sha256sum "$CONF/pom.xml" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return; fi
  say "resolving broker jars from Maven Central"
  rm -rf "$LIB"
  # Maven 3.8 prints colour resets even with -q; strip them from whatever it reports.
  mvn -B -q -Dstyle.color=never -f "$CONF/pom.xml" package | sed 's/\x1b\[[0-9;]*m//g'
  echo "$want" >"$stamp"
}

LOG_CONFIG="-Dlog4j2.configurationFile=file:$CONF/log4j2.properties"

java_tool() {
  java -cp "$LIB/*" "$LOG_CONFIG" "$@"
}

format_storage() {
  mkdir -p "$STATE"
  sed -e "s|@DATA_DIR@|$DATA|" -e "s|@PORT@|$PORT|g" -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
    "$CONF/server.properties" >"$STATE/server.properties"
  if [[ -f "$DATA/meta.properties" ]]; then return; fi
  say "formatting fresh KRaft storage in $DATA"
  java_tool kafka.tools.StorageTool format --ignore-formatted \
    -t "$(java_tool kafka.tools.StorageTool random-uuid)" -c "$STATE/server.properties" >/dev/null
}

start() {
  local pid
  if pid="$(running_pid)"; then
    say "already running (pid $pid) on 127.0.0.1:$PORT"
    return
  fi
  if port_open; then
    say "127.0.0.1:$PORT is taken by a process this script did not start; stop it first"
    exit 1
  fi
  resolve_jars
  format_storage
  rm -f "$PID_FILE"
  # Own session, so the broker outlives the shell that started it; the inner shell records its
  # pid, then becomes the JVM.
  setsid bash -c 'echo $$ >"$0"; exec "${@}"' "$PID_FILE" \
    java -Xms256m -Xmx512m -cp "$LIB/*" "$LOG_CONFIG" \
    kafka.Kafka "$STATE/server.properties" >>"$LOG_FILE" 2>&1 </dev/null &
  local waited=0
  until port_open; do
    sleep 1
    waited=$((waited + 1))
    if [[ -s "$PID_FILE" ]] && ! pid="$(running_pid)"; then
      say "the broker exited during start-up; last lines of $LOG_FILE:"
      tail -n 40 "$LOG_FILE" >&2
      exit 1
    fi
    if ((waited >= START_TIMEOUT)); then
      say "not ready after ${START_TIMEOUT}s; last lines of $LOG_FILE:"
      tail -n 40 "$LOG_FILE" >&2
      pid="$(running_pid)" && kill -KILL "$pid"
      exit 1
    fi
  done
  say "ready on 127.0.0.1:$PORT (pid $(running_pid), ${waited}s, log $LOG_FILE)"
}

stop() {
  local pid waited=0
  if ! pid="$(running_pid)"; then
    say "not running"
    rm -f "$PID_FILE"
    return
  fi
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= STOP_TIMEOUT)); then
      say "still running ${STOP_TIMEOUT}s after SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 1
    waited=$((waited + 1))
  done
  rm -f "$PID_FILE"
  say "stopped"
}

status() {
  local pid
  if pid="$(running_pid)" && port_open; then
    say "running (pid $pid) on 127.0.0.1:$PORT"
  elif pid="$(running_pid)"; then
    say "starting (pid $pid), 127.0.0.1:$PORT not open yet"
    return 1
  else
    say "stopped"
    return 1
  fi
}

reset() {
  stop
  rm -rf "$DATA"
  say "storage deleted"
}

case "${1:-}" in
  start | stop | status | reset) "$1" ;;
  *)
    echo "usage: scripts/kafka.sh start|stop|status|reset" >&2
    exit 2
    ;;
esac
