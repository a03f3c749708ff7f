#!/usr/bin/env bash
# kafka-local.sh — run a throw-away, single-node Apache Kafka (KRaft mode, no ZooKeeper)
# on the loopback interface, for local development and integration tests.
#
# Usage: scripts/kafka-local.sh start | stop [--wipe] | wipe | status
#
# The broker jars come from Maven Central (via `mvn dependency:copy-dependencies` on a tiny
# generated pom) on first use and are cached; later runs never call mvn. No tarball downloads.
#
# Environment (all optional):
#   KAFKA_VERSION          broker version                      (default 3.9.1)
#   KAFKA_PORT             client listener on 127.0.0.1        (default 19092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener           (default 19093)
#   KAFKA_DATA_DIR         config, data, broker.log, broker.pid (default <repo>/.kafka)
#   SHARPEYES_KAFKA_HOME   jar cache root; jars live in $SHARPEYES_KAFKA_HOME/$KAFKA_VERSION/libs
#                                                              (default ~/.cache/sharpeyes-kafka)
#   KAFKA_START_TIMEOUT    seconds to wait for readiness       (default 90)
#   KAFKA_STOP_TIMEOUT     seconds to wait after SIGTERM       (default 30)
#   KAFKA_HEAP_OPTS        JVM heap flags                      (default "-Xmx512m -Xms256m")
#   JAVA, MVN              java / mvn executables              (default: from PATH)
#   MAVEN_OPTS             passed through to mvn (e.g. -Dmaven.repo.local=...)

set -euo pipefail

# Resolve symlinks first, so a worktree that symlinks this script shares the real checkout's
# data dir (and therefore its one broker on the fixed port) instead of clashing with it.
SCRIPT_DIR="$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"
readonly SCRIPT_DIR REPO_ROOT

KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$REPO_ROOT/.kafka}"
SHARPEYES_KAFKA_HOME="${SHARPEYES_KAFKA_HOME:-$HOME/.cache/sharpeyes-kafka}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
JAVA="${JAVA:-java}"
MVN="${MVN:-mvn}"

readonly HOST=127.0.0.1
readonly NODE_ID=1
# Versions of the logging backend and of the Maven plugin doing the copy (pinned for reproducibility).
readonly SLF4J_VERSION=1.7.36
readonly RELOAD4J_VERSION=1.2.25
readonly DEPENDENCY_PLUGIN_VERSION=3.6.1

CACHE_DIR="$SHARPEYES_KAFKA_HOME/$KAFKA_VERSION"
LIBS="$CACHE_DIR/libs"
LOG_FILE="$KAFKA_DATA_DIR/broker.log"
PID_FILE="$KAFKA_DATA_DIR/broker.pid"
VERSION_FILE="$KAFKA_DATA_DIR/broker.version"   # version of the broker that is running
PORT_FILE="$KAFKA_DATA_DIR/broker.port"         # port of the broker that is running
CONFIG_FILE="$KAFKA_DATA_DIR/server.properties"
LOG4J_FILE="$KAFKA_DATA_DIR/log4j.properties"
KRAFT_LOG_DIR="$KAFKA_DATA_DIR/kraft-logs"      # topic partitions + __cluster_metadata
# The broker prints this (KafkaRaftServer) once it is fully up and serving requests.
readonly READY_PATTERN='Kafka Server started'

log() { printf 'kafka-local: %s\n' "$*"; }
die() { printf 'kafka-local: error: %s\n' "$*" >&2; exit 1; }

usage() {
    cat >&2 <<'EOF'
usage: kafka-local.sh start | stop [--wipe] | wipe | status
EOF
    exit 2
}

# True if something accepts TCP connections on $HOST:$1. Uses bash's /dev/tcp (no nc needed);
# the subshell closes the fd on exit, and `timeout` keeps a blackholed port from hanging us.
port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

# Print the PID of our broker if it is alive, else nothing (and return 1). The cmdline check
# guards against a stale pid file whose PID was reused by some unrelated process.
broker_pid() {
    local pid
    [[ -f "$PID_FILE" ]] || return 1
    pid="$(<"$PID_FILE")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
    printf '%s\n' "$pid"
}

running_desc() {
    local version port
    version="$(cat "$VERSION_FILE" 2>/dev/null || printf '%s' "$KAFKA_VERSION")"
    port="$(cat "$PORT_FILE" 2>/dev/null || printf '%s' "$KAFKA_PORT")"
    printf 'Apache Kafka %s (KRaft) on %s:%s' "$version" "$HOST" "$port"
}

# ---------------------------------------------------------------------------------------------
# Jar cache: resolve kafka_2.13 and all its runtime deps from Maven Central, once per version.
# ---------------------------------------------------------------------------------------------
ensure_jars() {
    if [[ -f "$LIBS/.complete" ]]; then
        return 0
    fi
    command -v "$MVN" >/dev/null || die "'$MVN' not found; needed once to fetch the Kafka jars"
    log "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $LIBS (first use only)"
    mkdir -p "$CACHE_DIR"

    # Build in a private temp dir and rename into place at the end, so an interrupted or
    # concurrent fetch never leaves a half-populated cache behind.
    local work
    work="$(mktemp -d "$CACHE_DIR/fetch.XXXXXX")"
    FETCH_TMP="$work"
    trap 'rm -rf -- "${FETCH_TMP:-}"' EXIT   # also clean up on errors / Ctrl-C
    cat >"$work/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by scripts/kafka-local.sh: only used to resolve the broker's runtime classpath. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.sharpeyes</groupId>
  <artifactId>kafka-local-runtime</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <!-- The broker (kafka.Kafka) and kafka.tools.StorageTool; pulls kafka-clients, -server,
         -server-common, -metadata, -raft, -storage, -group-coordinator, ... transitively. -->
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <!-- Logging backend (Kafka 3.x logs through slf4j -> log4j 1.x API, i.e. reload4j). -->
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-reload4j</artifactId>
      <version>$SLF4J_VERSION</version>
    </dependency>
    <dependency>
      <groupId>ch.qos.reload4j</groupId>
      <artifactId>reload4j</artifactId>
      <version>$RELOAD4J_VERSION</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>$DEPENDENCY_PLUGIN_VERSION</version>
      </plugin>
    </plugins>
  </build>
</project>
EOF
    if ! "$MVN" -q -B -f "$work/pom.xml" dependency:copy-dependencies \
            -DincludeScope=runtime -DoutputDirectory="$work/libs" >"$work/mvn.log" 2>&1; then
        cat "$work/mvn.log" >&2
        die "mvn could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (is KAFKA_VERSION right?)"
    fi
    [[ -f "$work/libs/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "mvn ran but kafka_2.13-$KAFKA_VERSION.jar is missing"
    cp "$work/pom.xml" "$work/libs/pom.xml"   # keep a record of what was resolved
    touch "$work/libs/.complete"
    rm -rf "$LIBS.old"
    [[ -d "$LIBS" ]] && mv -T "$LIBS" "$LIBS.old"   # incomplete leftovers from an older run
    # mv -T fails instead of nesting if another fetch won the race; theirs is as good as ours.
    mv -T "$work/libs" "$LIBS" 2>/dev/null || true
    rm -rf "$LIBS.old"
    [[ -f "$LIBS/.complete" ]] || die "jar cache at $LIBS is incomplete"
}

# ---------------------------------------------------------------------------------------------
# Config files (regenerated on every start so env changes to ports take effect).
# ---------------------------------------------------------------------------------------------
write_configs() {
    cat >"$CONFIG_FILE" <<EOF
# Generated by scripts/kafka-local.sh on every start; edits will be overwritten.
process.roles=broker,controller
node.id=$NODE_ID
controller.quorum.voters=$NODE_ID@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KRAFT_LOG_DIR
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
EOF
    # Everything goes to stdout, which start() redirects into broker.log.
    cat >"$LOG4J_FILE" <<'EOF'
# Generated by scripts/kafka-local.sh.
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
EOF
}

# The java command line shared by StorageTool and the broker (as an array, so paths with spaces
# survive and the broker can be `exec`ed from a subshell below).
java_argv() {
    # shellcheck disable=SC2206  # KAFKA_HEAP_OPTS is intentionally word-split into flags
    JAVA_ARGV=("$JAVA" $KAFKA_HEAP_OPTS -XX:+UseG1GC -Djava.awt.headless=true
        "-Dlog4j.configuration=file:$LOG4J_FILE" -cp "$LIBS/*")
}

# Format the KRaft storage once; a formatted log dir has a meta.properties file.
ensure_formatted() {
    [[ -f "$KRAFT_LOG_DIR/meta.properties" ]] && return 0
    local cluster_id
    cluster_id="$("${JAVA_ARGV[@]}" kafka.tools.StorageTool random-uuid 2>>"$LOG_FILE" | tail -n 1)"
    [[ -n "$cluster_id" ]] || die "StorageTool random-uuid failed; see $LOG_FILE"
    log "formatting KRaft storage in $KRAFT_LOG_DIR (cluster id $cluster_id)"
    if ! "${JAVA_ARGV[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG_FILE" >>"$LOG_FILE" 2>&1; then
        tail -n 50 "$LOG_FILE" >&2
        die "StorageTool format failed; see $LOG_FILE"
    fi
}

# ---------------------------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------------------------
cmd_start() {
    local pid
    mkdir -p "$KAFKA_DATA_DIR"

    # Serialise concurrent `start`s (e.g. parallel test workers) on the same data dir.
    if command -v flock >/dev/null; then
        exec 9>"$KAFKA_DATA_DIR/.start.lock"
        flock -w "$((KAFKA_START_TIMEOUT + 60))" 9 || die "timed out waiting for another start"
    fi

    if pid="$(broker_pid)"; then
        if port_open "$(cat "$PORT_FILE" 2>/dev/null || printf '%s' "$KAFKA_PORT")"; then
            log "already running: $(running_desc) (pid $pid), log: $LOG_FILE"
            return 0
        fi
        # Alive but not answering (yet): wait for it like a fresh start would.
        log "broker pid $pid is up but not answering yet; waiting"
        wait_ready "$pid"
        return 0
    fi
    rm -f "$PID_FILE"

    if port_open "$KAFKA_PORT"; then
        die "$HOST:$KAFKA_PORT is already in use by another process (not our broker)"
    fi
    if port_open "$KAFKA_CONTROLLER_PORT"; then
        die "$HOST:$KAFKA_CONTROLLER_PORT (controller) is already in use by another process"
    fi
    command -v "$JAVA" >/dev/null || die "'$JAVA' not found (Java 11+ required)"

    ensure_jars
    write_configs
    # Keep the previous run's log, start a fresh one so readiness is judged on this run only.
    [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.prev"
    : >"$LOG_FILE"
    java_argv
    ensure_formatted

    # Background the broker like nohup would: ignore SIGHUP (the JVM keeps an ignored HUP
    # ignored), stdin from /dev/null, all output to the log, so it outlives this shell and does
    # not hold the caller's stdout/stderr pipes open. `exec` keeps $! equal to the java PID.
    (
        trap '' HUP
        exec "${JAVA_ARGV[@]}" kafka.Kafka "$CONFIG_FILE"
    ) >>"$LOG_FILE" 2>&1 </dev/null 9>&- &   # 9>&-: the broker must not inherit the start lock
    pid=$!
    printf '%s\n' "$pid" >"$PID_FILE"
    printf '%s\n' "$KAFKA_PORT" >"$PORT_FILE"
    wait_ready "$pid"
}

# Wait (bounded) until the broker process answers on its port and has logged READY_PATTERN.
wait_ready() {
    local pid=$1 port deadline version
    port="$(cat "$PORT_FILE" 2>/dev/null || printf '%s' "$KAFKA_PORT")"
    deadline=$((SECONDS + KAFKA_START_TIMEOUT))
    until port_open "$port" && grep -q "$READY_PATTERN" "$LOG_FILE" 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 50 "$LOG_FILE" >&2
            rm -f "$PID_FILE"
            die "broker exited during startup; log: $LOG_FILE"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 50 "$LOG_FILE" >&2
            cmd_stop >&2   # a failed start leaves nothing running behind
            die "broker not ready after ${KAFKA_START_TIMEOUT}s; log: $LOG_FILE"
        fi
        sleep 0.5
    done
    # Report the version the broker itself logged (AppInfoParser), not just what we asked for.
    version="$(sed -n 's/.*Kafka version: \([^ ]*\).*/\1/p' "$LOG_FILE" | head -n 1)"
    printf '%s\n' "${version:-$KAFKA_VERSION}" >"$VERSION_FILE"
    log "$(running_desc) ready (pid $pid), log: $LOG_FILE"
}

cmd_stop() {
    local pid deadline
    if ! pid="$(broker_pid)"; then
        log "not running"
        rm -f "$PID_FILE"
        return 0
    fi
    log "stopping broker (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            log "still alive after ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.5
    done
    rm -f "$PID_FILE"
    log "stopped"
}

cmd_wipe() {
    local dir
    cmd_stop
    [[ -d "$KAFKA_DATA_DIR" ]] || return 0
    dir="$(cd -- "$KAFKA_DATA_DIR" && pwd -P)"
    # Refuse obviously wrong targets before an rm -rf driven by an environment variable.
    case "$dir" in
        / | "$HOME" | "$REPO_ROOT") die "refusing to wipe $dir" ;;
    esac
    rm -rf -- "$dir"
    log "wiped $dir"
}

cmd_status() {
    local pid
    if pid="$(broker_pid)" && port_open "$(cat "$PORT_FILE" 2>/dev/null || printf '%s' "$KAFKA_PORT")"; then
        log "running: $(running_desc) (pid $pid), log: $LOG_FILE"
        return 0
    fi
    if [[ -n "${pid:-}" ]]; then
        log "broker pid $pid is alive but not answering on its port"
    else
        log "not running"
    fi
    return 1
}

case "${1:-}" in
    start) cmd_start ;;
    stop)
        case "${2:-}" in
            "") cmd_stop ;;
            --wipe) cmd_wipe ;;
            *) usage ;;
        esac
        ;;
    wipe) cmd_wipe ;;
    status) cmd_status ;;
    *) usage ;;
esac
