#!/usr/bin/env bash
# kafka-local.sh — run a throw-away, single-node Apache Kafka (KRaft mode, no ZooKeeper)
# on the loopback interface, for local development and integration tests.
#
# Usage: scripts/kafka-local.sh start | stop [--wipe] | wipe | status
#
# Secured mode: KAFKA_SECURITY=sasl_ssl runs a second, independent broker (own port, own data dir,
# so it can run beside the plaintext one) whose client listener is SASL_SSL with SCRAM-SHA-512.
# On first start it makes a throw-away CA and a broker certificate for 127.0.0.1/localhost with
# openssl, and creates the SCRAM users `admin` (inter-broker) and $KAFKA_SASL_USERNAME at format
# time (StorageTool --add-scram). Clients find $KAFKA_DATA_DIR/tls/ca.pem and
# $KAFKA_DATA_DIR/secrets/<user>.password (mode 0600); passwords are never printed.
#
# The broker jars come from Maven Central (via `mvn dependency:copy-dependencies` on a tiny
# generated pom) on first use and are cached; later runs never call mvn. No tarball downloads.
#
# Environment (all optional):
#   KAFKA_VERSION          broker version                      (default 3.9.1)
#   KAFKA_SECURITY         plaintext | sasl_ssl                (default plaintext)
#   KAFKA_PORT             client listener on 127.0.0.1        (default 19092; sasl_ssl 19094)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener           (default 19093; sasl_ssl 19095)
#   KAFKA_DATA_DIR         config, data, broker.log, broker.pid (default <repo>/.kafka;
#                                                               sasl_ssl <repo>/.kafka-sasl)
#   KAFKA_SASL_USERNAME    sasl_ssl: the client SCRAM user     (default sharpeyes)
#   KAFKA_SASL_PASSWORD    sasl_ssl: its password when the data dir is first formatted
#                          (default: random; always saved in secrets/<user>.password)
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
KAFKA_SECURITY="${KAFKA_SECURITY:-plaintext}"
case "$KAFKA_SECURITY" in
    plaintext)
        KAFKA_PORT="${KAFKA_PORT:-19092}"
        KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
        KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$REPO_ROOT/.kafka}"
        ;;
    sasl_ssl)
        KAFKA_PORT="${KAFKA_PORT:-19094}"
        KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19095}"
        KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$REPO_ROOT/.kafka-sasl}"
        ;;
    *)
        printf 'kafka-local: error: KAFKA_SECURITY must be plaintext or sasl_ssl, not %s\n' "$KAFKA_SECURITY" >&2
        exit 2
        ;;
esac
KAFKA_SASL_USERNAME="${KAFKA_SASL_USERNAME:-sharpeyes}"
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
TLS_DIR="$KAFKA_DATA_DIR/tls"                   # sasl_ssl: ca.pem, broker.p12 and keys
SECRETS_DIR="$KAFKA_DATA_DIR/secrets"           # sasl_ssl: <user>.password, keystore.password
readonly SCRAM_MECHANISM=SCRAM-SHA-512
readonly ADMIN_USER=admin
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
    if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
        printf 'Apache Kafka %s (KRaft) SASL_SSL/%s on %s:%s' "$version" "$SCRAM_MECHANISM" "$HOST" "$port"
    else
        printf 'Apache Kafka %s (KRaft) on %s:%s' "$version" "$HOST" "$port"
    fi
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
    if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
        write_sasl_ssl_config
    else
        write_plaintext_config
    fi
    write_log4j_config
}

write_plaintext_config() {
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
# the log cleaner's dedupe buffer is one heap array (128 MB by default); in a 512 MB heap a restarted
# broker could fail to allocate it (OutOfMemoryError in LogCleaner at start-up, seen in CI dry runs)
log.cleaner.dedupe.buffer.size=33554432
EOF
}

# Client listener SASL_SSL (SCRAM-SHA-512 over TLS), also used between brokers; the KRaft
# controller listener stays PLAINTEXT on loopback. No authorizer: any authenticated user may do
# anything, which is what a test broker needs.
write_sasl_ssl_config() {
    local store_password admin_password
    store_password="$(<"$SECRETS_DIR/keystore.password")"
    admin_password="$(<"$SECRETS_DIR/$ADMIN_USER.password")"
    (
        umask 077   # the file holds the keystore and admin passwords
        cat >"$CONFIG_FILE" <<EOF
# Generated by scripts/kafka-local.sh (KAFKA_SECURITY=sasl_ssl) on every start; edits will be overwritten.
process.roles=broker,controller
node.id=$NODE_ID
controller.quorum.voters=$NODE_ID@$HOST:$KAFKA_CONTROLLER_PORT
listeners=SASL_SSL://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=SASL_SSL://$HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
sasl.enabled.mechanisms=$SCRAM_MECHANISM
sasl.mechanism.inter.broker.protocol=$SCRAM_MECHANISM
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$ADMIN_USER" password="$admin_password";
ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS_DIR/broker.p12
ssl.keystore.password=$store_password
ssl.key.password=$store_password
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_DIR/ca.pem
ssl.client.auth=none
ssl.endpoint.identification.algorithm=https
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
# the log cleaner's dedupe buffer is one heap array (128 MB by default); in a 512 MB heap a restarted
# broker could fail to allocate it (OutOfMemoryError in LogCleaner at start-up, seen in CI dry runs)
log.cleaner.dedupe.buffer.size=33554432
EOF
    )
}

random_secret() {
    openssl rand -hex 24
}

# A throw-away CA, a broker certificate for 127.0.0.1/localhost signed by it (PKCS12 keystore),
# and the SCRAM passwords: made once per data dir and kept across restarts (the users live in the
# formatted metadata log, so their passwords cannot change afterwards without a wipe).
ensure_tls_and_secrets() {
    [[ -f "$TLS_DIR/broker.p12" && -f "$SECRETS_DIR/$KAFKA_SASL_USERNAME.password" ]] && return 0
    [[ -f "$KRAFT_LOG_DIR/meta.properties" ]] &&
        die "$KAFKA_DATA_DIR is formatted but its TLS/SCRAM material is missing; run 'wipe' first"
    command -v openssl >/dev/null || die "'openssl' not found (needed for the sasl_ssl test CA)"
    log "making a self-signed CA and broker certificate in $TLS_DIR, SCRAM secrets in $SECRETS_DIR"
    mkdir -p "$TLS_DIR" "$SECRETS_DIR"
    chmod 700 "$SECRETS_DIR"
    (
        umask 077
        random_secret >"$SECRETS_DIR/keystore.password"
        random_secret >"$SECRETS_DIR/$ADMIN_USER.password"
        if [[ -n "${KAFKA_SASL_PASSWORD:-}" ]]; then
            printf '%s\n' "$KAFKA_SASL_PASSWORD" >"$SECRETS_DIR/$KAFKA_SASL_USERNAME.password"
        else
            random_secret >"$SECRETS_DIR/$KAFKA_SASL_USERNAME.password"
        fi
    )
    local ossl_log="$TLS_DIR/openssl.log"
    if ! {
        openssl req -x509 -newkey rsa:2048 -nodes -days 825 -sha256 \
            -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.pem" \
            -subj "/CN=sharpeyes kafka-local test CA" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" &&
        openssl req -newkey rsa:2048 -nodes -sha256 \
            -keyout "$TLS_DIR/broker.key" -out "$TLS_DIR/broker.csr" -subj "/CN=localhost" &&
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' \
            >"$TLS_DIR/broker.ext" &&
        openssl x509 -req -in "$TLS_DIR/broker.csr" -CA "$TLS_DIR/ca.pem" -CAkey "$TLS_DIR/ca.key" \
            -CAcreateserial -days 825 -sha256 -extfile "$TLS_DIR/broker.ext" -out "$TLS_DIR/broker.pem" &&
        openssl pkcs12 -export -in "$TLS_DIR/broker.pem" -inkey "$TLS_DIR/broker.key" \
            -certfile "$TLS_DIR/ca.pem" -name broker -out "$TLS_DIR/broker.p12" \
            -passout "file:$SECRETS_DIR/keystore.password"
    } >"$ossl_log" 2>&1; then
        cat "$ossl_log" >&2
        rm -f "$TLS_DIR/broker.p12"
        die "openssl could not make the test CA/broker certificate"
    fi
    chmod 600 "$TLS_DIR/ca.key" "$TLS_DIR/broker.key" "$TLS_DIR/broker.p12"
}

write_log4j_config() {
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
    local scram=() user
    if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
        # SCRAM users bootstrapped into the metadata log (KRaft, metadata version >= 3.5). The
        # arguments hold passwords: they reach the short-lived JVM's argv, never the log.
        for user in "$ADMIN_USER" "$KAFKA_SASL_USERNAME"; do
            scram+=(--add-scram "$SCRAM_MECHANISM=[name=$user,password=$(<"$SECRETS_DIR/$user.password")]")
        done
    fi
    if ! "${JAVA_ARGV[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG_FILE" \
            "${scram[@]}" >>"$LOG_FILE" 2>&1; then
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
    if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
        ensure_tls_and_secrets
    fi
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
    if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
        log "CA $TLS_DIR/ca.pem; user $KAFKA_SASL_USERNAME, password file $SECRETS_DIR/$KAFKA_SASL_USERNAME.password"
    fi
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
