#!/usr/bin/env bash
# Start, stop or check a local single-node Hazelcast member for DOLPHIN (development and tests).
#
#   scripts/hz.sh start  [--port N] [--cluster NAME] [--members H:P,H:P] [--foreground] [--timeout SECONDS]
#   scripts/hz.sh stop   [--port N]
#   scripts/hz.sh kill   [--port N]     (SIGKILL: a member crash, for failover tests)
#   scripts/hz.sh status [--port N]
#   scripts/hz.sh fetch                 (only fetch and cache the jar; prints its path)
#
# The member jar (com.hazelcast:hazelcast, pinned below) is fetched once with Maven and cached in
# .hazelcast/lib/. Pid file and log live in .hazelcast/member-<port>.{pid,log}. --members joins the
# listed local members into one cluster (TCP/IP discovery), e.g. two members on 5820 and 5821:
#   hz.sh start --port 5820 --members 127.0.0.1:5820,127.0.0.1:5821 (then the same with --port 5821)
# Environment:
#   HZ_JAR   use this member jar instead of fetching one
#   HZ_HEAP  JVM max heap (default 256m)
#   JAVA     java executable (default: java on PATH)
set -euo pipefail

HZ_VERSION="5.6.0"
HZ_SHA1="212c0d4ead6d9c0c033d653f69d57d59e5048274"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="$ROOT/.hazelcast"
CONFIG="$ROOT/scripts/hazelcast/hazelcast.xml"
LOGGING="$ROOT/scripts/hazelcast/logging.properties"
JAVA="${JAVA:-java}"

die() { echo "hz: $*" >&2; exit 1; }

usage() {
  sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

cmd="${1:-}"
[ -n "$cmd" ] || { usage; exit 2; }
shift
PORT=5701
CLUSTER=dolphin
FOREGROUND=0
TIMEOUT=90
MEMBERS=
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT="${2:?--port needs a value}"; shift 2 ;;
    --port=*) PORT="${1#*=}"; shift ;;
    --cluster) CLUSTER="${2:?--cluster needs a value}"; shift 2 ;;
    --cluster=*) CLUSTER="${1#*=}"; shift ;;
    --timeout) TIMEOUT="${2:?--timeout needs a value}"; shift 2 ;;
    --members) MEMBERS="${2:?--members needs a value}"; shift 2 ;;
    --members=*) MEMBERS="${1#*=}"; shift ;;
    --timeout=*) TIMEOUT="${1#*=}"; shift ;;
    --foreground) FOREGROUND=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
done
[[ "$PORT" =~ ^[0-9]+$ ]] && [ "$PORT" -ge 1 ] && [ "$PORT" -le 65535 ] || die "--port must be 1..65535, was '$PORT'"
[[ "$CLUSTER" =~ ^[A-Za-z0-9._-]+$ ]] || die "--cluster must match [A-Za-z0-9._-]+, was '$CLUSTER'"
[ -z "$MEMBERS" ] || [[ "$MEMBERS" =~ ^[A-Za-z0-9.:-]+(,[A-Za-z0-9.:-]+)*$ ]] || die "--members must be host:port,host:port, was '$MEMBERS'"

PID_FILE="$STATE_DIR/member-$PORT.pid"
LOG_FILE="$STATE_DIR/member-$PORT.log"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

read_pid() { [ -f "$PID_FILE" ] && cat "$PID_FILE" 2>/dev/null || true; }

sha1_of() { sha1sum "$1" 2>/dev/null | cut -d' ' -f1 || shasum -a 1 "$1" | cut -d' ' -f1; }

# Print the path of the pinned member jar, fetching it with Maven on first use.
member_jar() {
  if [ -n "${HZ_JAR:-}" ]; then
    [ -f "$HZ_JAR" ] || die "HZ_JAR=$HZ_JAR does not exist"
    echo "$HZ_JAR"; return
  fi
  local cached="$STATE_DIR/lib/hazelcast-$HZ_VERSION.jar"
  if [ -f "$cached" ] && [ "$(sha1_of "$cached")" = "$HZ_SHA1" ]; then
    echo "$cached"; return
  fi
  local m2="${MAVEN_REPO:-$HOME/.m2/repository}/com/hazelcast/hazelcast/$HZ_VERSION/hazelcast-$HZ_VERSION.jar"
  if [ ! -f "$m2" ]; then
    command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed once to fetch com.hazelcast:hazelcast:$HZ_VERSION; install it or set HZ_JAR=/path/to/hazelcast-$HZ_VERSION.jar"
    echo "hz: fetching com.hazelcast:hazelcast:$HZ_VERSION with Maven (once)..." >&2
    mvn -q -B -Dstyle.color=never dependency:get -Dartifact="com.hazelcast:hazelcast:$HZ_VERSION" -Dtransitive=false >&2 \
      || die "could not fetch com.hazelcast:hazelcast:$HZ_VERSION with Maven"
    [ -f "$m2" ] || die "Maven reported success but $m2 is missing (custom local repository? set MAVEN_REPO or HZ_JAR)"
  fi
  [ "$(sha1_of "$m2")" = "$HZ_SHA1" ] || die "$m2 has an unexpected SHA-1 (expected $HZ_SHA1); delete it and retry"
  mkdir -p "$STATE_DIR/lib"
  cp "$m2" "$cached.tmp.$$" && mv "$cached.tmp.$$" "$cached"
  echo "$cached"
}

# Fill the array JAVA_CMD with the member's command line.
java_cmd() {
  local jar="$1"
  # The --add-* flags are the ones Hazelcast asks for on Java 17; without them it logs warnings.
  JAVA_CMD=("$JAVA" -Xms64m "-Xmx${HZ_HEAP:-256m}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    --add-modules java.se \
    --add-exports java.base/jdk.internal.ref=ALL-UNNAMED \
    --add-opens java.base/java.lang=ALL-UNNAMED \
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens java.management/sun.management=ALL-UNNAMED \
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
    "-Dhazelcast.config=$CONFIG" \
    "-Djava.util.logging.config.file=$LOGGING" \
    "-Ddolphin.hz.cluster=$CLUSTER" "-Ddolphin.hz.port=$PORT" \
    "-Ddolphin.hz.join=$([ -n "$MEMBERS" ] && echo true || echo false)" "-Ddolphin.hz.members=${MEMBERS:-127.0.0.1}" \
    -cp "$jar" com.hazelcast.core.server.HazelcastMemberStarter)
}

do_status() {
  local pid; pid="$(read_pid)"
  if pid_alive "$pid"; then
    if port_open "$PORT"; then echo "running (pid $pid, 127.0.0.1:$PORT, log $LOG_FILE)"; return 0; fi
    echo "starting (pid $pid, port $PORT not open yet, log $LOG_FILE)"; return 0
  fi
  if port_open "$PORT"; then echo "port $PORT is in use by a process not started by hz.sh"; return 0; fi
  echo "not running (port $PORT)"; return 3
}

do_start() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found on PATH; install a JDK 17+ (or set JAVA=/path/to/java)"
  mkdir -p "$STATE_DIR"
  # Two concurrent starters for one port (parallel test workers): the second waits, then finds it running.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$STATE_DIR/member-$PORT.lock"
    flock -w "$(( TIMEOUT + 30 ))" 9 || die "another 'hz.sh start --port $PORT' holds the lock"
  fi
  local pid; pid="$(read_pid)"
  if pid_alive "$pid"; then echo "hz: already running (pid $pid, 127.0.0.1:$PORT)"; return 0; fi
  if port_open "$PORT"; then
    die "port $PORT is already in use by another process; stop it or pick another with --port N"
  fi
  local jar; jar="$(member_jar)"
  java_cmd "$jar"
  if [ "$FOREGROUND" = 1 ]; then
    echo "hz: starting member in the foreground on 127.0.0.1:$PORT, cluster '$CLUSTER' (Ctrl-C stops it)"
    exec "${JAVA_CMD[@]}"
  fi
  : >"$LOG_FILE"
  local t0; t0="$(date +%s%N)"
  # setsid: the member survives the shell that started it (npm, vitest) and gets its own group.
  setsid "${JAVA_CMD[@]}" >>"$LOG_FILE" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$PID_FILE"
  local deadline=$(( $(date +%s) + TIMEOUT ))
  while :; do
    if ! pid_alive "$pid"; then
      rm -f "$PID_FILE"
      echo "hz: member exited during startup; last lines of $LOG_FILE:" >&2
      tail -n 30 "$LOG_FILE" >&2
      exit 1
    fi
    if port_open "$PORT" && grep -q "is STARTED" "$LOG_FILE"; then break; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "hz: member did not accept clients on 127.0.0.1:$PORT within ${TIMEOUT}s (pid $pid left running; 'scripts/hz.sh stop --port $PORT' ends it); last lines of $LOG_FILE:" >&2
      tail -n 30 "$LOG_FILE" >&2
      exit 1
    fi
    sleep 0.2
  done
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "hz: member running on 127.0.0.1:$PORT, cluster '$CLUSTER', Hazelcast $HZ_VERSION (pid $pid, ready in ${ms} ms, log $LOG_FILE)"
}

do_stop() {
  local pid; pid="$(read_pid)"
  if ! pid_alive "$pid"; then
    rm -f "$PID_FILE"
    echo "hz: not running (port $PORT)"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 150); do            # graceful shutdown: up to 15 s
    pid_alive "$pid" || break
    sleep 0.1
  done
  if pid_alive "$pid"; then
    echo "hz: member $pid did not stop within 15 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do pid_alive "$pid" || break; sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  echo "hz: stopped (pid $pid, port $PORT)"
}

do_kill() {
  local pid; pid="$(read_pid)"
  if ! pid_alive "$pid"; then rm -f "$PID_FILE"; echo "hz: not running (port $PORT)"; return 0; fi
  kill -KILL "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 50); do pid_alive "$pid" || break; sleep 0.1; done
  rm -f "$PID_FILE"
  echo "hz: killed (pid $pid, port $PORT)"
}

case "$cmd" in
  start) do_start ;;
  stop) do_stop ;;
  kill) do_kill ;;
  status) do_status ;;
  fetch) t0="$(date +%s%N)"; jar="$(member_jar)"; echo "hz: $jar ($(( ($(date +%s%N) - t0) / 1000000 )) ms)" ;;
  -h|--help|help) usage ;;
  *) die "unknown command '$cmd' (start|stop|kill|status|fetch)" ;;
esac
