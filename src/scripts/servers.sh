#!/usr/bin/env bash
# Throwaway test servers without Docker: Cassandra 5.0, PostgreSQL 15, S3Proxy, Flink 1.19 session cluster,
# Azurite (Azure Blob Storage emulator).
# Every server binds 127.0.0.1 on the ports given, keeps all its state under <workdir>, runs in the
# background, and is stopped by the PID(s) recorded in <workdir> (never by name).
#
#   servers.sh ensure sqlite3          install Debian's sqlite3 tool when missing; prints its path
#   servers.sh ensure prometheus-parser  install Debian's python3-prometheus-client when missing
#   servers.sh ensure chromium         install Debian's chromium and chromium-driver when missing
#   servers.sh start cassandra <workdir> <native_port> <storage_port> [5.0|4.1]
#                                      (heap: CASSANDRA_HEAP, default 1g; version default 5.0)
#   servers.sh start cassandra-cluster <workdir> <native_port> <storage_port> <topology>
#                                      (nodes on 127.0.0.1, .2, ...; topology e.g. "dc1=3,dc2=1";
#                                       heap per node: CASSANDRA_HEAP, default 768m)
#   servers.sh start cassandra-node <workdir> <i>                        (node i of a cluster, again)
#   servers.sh start postgres  <workdir> <port>                          (user postgres, trust auth)
#   servers.sh start s3proxy   <workdir> <port> <identity> <credential>  (filesystem blobs, aws-v2-or-v4)
#   servers.sh start flink     <workdir> <rest_port> <base_port>         (JM rpc=base, blob=base+1,
#                                      TM rpc=base+2, TM data=base+3, metrics query=base+4..base+5)
#   servers.sh start azurite   <workdir> <port>                          (blob service only,
#                                      account devstoreaccount1 with its published key)
#   servers.sh stop  <cassandra|cassandra-cluster|postgres|s3proxy|flink|azurite> <workdir>
#
# Server jars come from Maven Central through src/servers/<kind>/pom.xml into target/servers/<kind>/lib;
# Azurite from the npm registry through src/servers/azurite/package-lock.json into target/servers/azurite.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PG_BIN=/usr/lib/postgresql/15/bin
START_TIMEOUT=120   # seconds to wait for a server to answer
STOP_TIMEOUT=20     # seconds between the polite signal and KILL

# The usage lines of the comment above (from the first "servers.sh" line to the blank "#").
usage() { sed -n '/^#   servers\.sh /,/^#$/{/^#$/!p}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "servers.sh: $*" >&2; exit 1; }
log() { echo "servers.sh: $*"; }

# --- helpers -------------------------------------------------------------------------------------

# Absolute path of a (created) work dir.
workdir_abs() { mkdir -p "$1" && (cd "$1" && pwd); }

port_open() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; }

require_free_ports() {
  local p
  for p in "$@"; do
    [[ "$p" =~ ^[0-9]+$ ]] || die "not a port: $p"
    ! port_open "$p" || die "port $p on 127.0.0.1 is already in use"
  done
}

# Alive and not a zombie.
pid_alive() {
  [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null || return 1
  [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]]
}

# PID recorded in a pid file, if that process still runs with <workdir> on its command line
# (guards against a stale file whose PID was reused by something else).
live_pid() {
  local file="$1" dir="$2" pid
  [[ -f "$file" ]] || return 1
  pid="$(head -n1 "$file" | tr -dc 0-9)"
  pid_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir" || return 1
  echo "$pid"
}

refuse_if_running() {
  local f pid
  for f in "$@"; do
    if pid="$(live_pid "$f" "$(dirname "$f")")"; then die "already running: $f (pid $pid)"; fi
  done
}

# Stop one recorded process: <signal> to it, wait, then KILL. Succeeds if it was not running.
stop_pidfile() {
  local file="$1" dir="$2" sig="$3" pid i
  if ! pid="$(live_pid "$file" "$dir")"; then rm -f "$file"; return 0; fi
  log "stopping pid $pid ($(basename "$file" .pid)) with SIG$sig"
  kill -"$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 5; i++)); do
    pid_alive "$pid" || { rm -f "$file"; return 0; }
    sleep 0.2
  done
  log "pid $pid still alive after ${STOP_TIMEOUT}s: KILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    pid_alive "$pid" || { rm -f "$file"; return 0; }
    sleep 0.2
  done
  die "pid $pid did not die"
}

# Wait until <check command...> succeeds while <pid> lives; on failure show the log, stop the
# process and exit 1.
wait_until() {
  local what="$1" pid="$2" logfile="$3" pidfile="$4" dir="$5"; shift 5
  local start=$SECONDS
  while ! "$@"; do
    if ! pid_alive "$pid"; then
      echo "servers.sh: $what died during startup; last lines of $logfile:" >&2
      tail -n 60 "$logfile" >&2 || true
      rm -f "$pidfile"; exit 1
    fi
    if ((SECONDS - start >= START_TIMEOUT)); then
      echo "servers.sh: $what did not answer within ${START_TIMEOUT}s; last lines of $logfile:" >&2
      tail -n 60 "$logfile" >&2 || true
      stop_pidfile "$pidfile" "$dir" TERM >&2 || true
      exit 1
    fi
    sleep 0.5
  done
}

# Copy a server's jars from Maven Central into target/servers/<kind>/lib once (locked, atomic).
fetch_jars() {
  local kind="$1" lib="$ROOT/target/servers/$1/lib"
  if [[ ! -f "$lib/.complete" ]]; then
    mkdir -p "$ROOT/target/servers"
    exec 9>"$ROOT/target/servers/$kind.lock"
    flock 9
    if [[ ! -f "$lib/.complete" ]]; then
      log "fetching $kind jars into $lib" >&2
      rm -rf "$lib" "$lib.tmp"
      if ! mvn -B -q -f "$ROOT/src/servers/$kind/pom.xml" dependency:copy-dependencies \
        -DoutputDirectory="$lib.tmp" >"$ROOT/target/servers/$kind.mvn.log" 2>&1; then
        cat "$ROOT/target/servers/$kind.mvn.log" >&2
        die "could not fetch the $kind jars"
      fi
      touch "$lib.tmp/.complete"
      mv "$lib.tmp" "$lib"
    fi
    exec 9>&-
  fi
  echo "$lib"
}

# --- Cassandra -----------------------------------------------------------------------------------

# The Cassandra version a start command runs (5.0, or 4.1 for `start cassandra ... 4.1`) and its
# jar set, src/servers/<kind>.
cassandra_version=5.0
cassandra_kind() {
  case "$cassandra_version" in
    5.0) echo cassandra ;;
    4.1) echo cassandra-4.1 ;;
    *) die "Cassandra version must be 5.0 or 4.1, not '$cassandra_version'" ;;
  esac
}

# JVM flags from Cassandra 5.0's conf/jvm17-server.options (GC + JPMS + Netty).
CASSANDRA_JVM17_OPTS=(
  -XX:+UseG1GC -XX:+ParallelRefProcEnabled -XX:MaxTenuringThreshold=1 -XX:G1HeapRegionSize=16m
  -XX:G1RSetUpdatingPauseTimePercent=5 -XX:MaxGCPauseMillis=300 -XX:InitiatingHeapOccupancyPercent=70
  -Djdk.attach.allowAttachSelf=true
  --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
  --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED
  --add-exports java.sql/java.sql=ALL-UNNAMED
  --add-exports java.base/java.lang.ref=ALL-UNNAMED
  --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED
  --add-opens java.base/java.lang.module=ALL-UNNAMED
  --add-opens java.base/jdk.internal.loader=ALL-UNNAMED
  --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED
  --add-opens java.base/jdk.internal.math=ALL-UNNAMED
  --add-opens java.base/jdk.internal.module=ALL-UNNAMED
  --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.base/java.io=ALL-UNNAMED
  --add-opens java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED
  --add-opens java.base/java.util=ALL-UNNAMED
  -Dio.netty.tryReflectionSetAccessible=true
  -Dio.netty.allocator.useCacheForAllThreads=true
  -Dio.netty.allocator.maxOrder=11
)

# What 4.1 needs on Java 17 beyond that list (4.1 supports Java 8 and 11 only; its jvm11-server.options
# has no more than 5.0's list): its jamm 0.3.2 measures objects by reflection into these packages
# (from the first start on: StreamingState's maps and counters); 5.0's jamm 0.4 does not.
CASSANDRA41_JVM17_OPTS=(
  --add-opens java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens java.base/java.nio=ALL-UNNAMED
)

# Writes one node's cassandra.yaml, logback.xml, cassandra-rackdc.properties and run.sh under
# <dir>. Arguments: dir address native storage seeds snitch dc token heap lib.
# run.sh starts the node in the foreground with the same settings, so that a stopped node (a test
# that killed it) comes back on its own data directory with `servers.sh start cassandra-node`.
write_cassandra_node() {
  local dir="$1" address="$2" native="$3" storage="$4" seeds="$5" snitch="$6" dc="$7" token="$8"
  local heap="$9" lib="${10}"
  mkdir -p "$dir"/{commitlog,data,saved_caches,hints,cdc_raw,conf}
  # Test-box settings: no snapshots on TRUNCATE/DROP, small memtables, ALLOW FILTERING permitted
  # (5.0 guardrail, on by default but stated here on purpose). A node of a new cluster owns one
  # token given up front and does not bootstrap (there is nothing to stream in an empty cluster).
  cat >"$dir/conf/cassandra.yaml" <<EOF
cluster_name: test
num_tokens: 1
${token:+initial_token: $token}
auto_bootstrap: false
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: $snitch
listen_address: $address
rpc_address: $address
storage_port: $storage
native_transport_port: $native
start_native_transport: true
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "$seeds"
commitlog_sync: periodic
commitlog_sync_period: 10000ms
commitlog_directory: $dir/commitlog
data_file_directories:
  - $dir/data
saved_caches_directory: $dir/saved_caches
hints_directory: $dir/hints
cdc_raw_directory: $dir/cdc_raw
auto_snapshot: false
snapshot_on_duplicate_row_detection: false
allow_filtering_enabled: true
memtable_heap_space: 64MiB
concurrent_compactors: 1
EOF
  # GossipingPropertyFileSnitch reads this from the class path (the conf dir comes first in it).
  printf 'dc=%s\nrack=rack1\n' "$dc" >"$dir/conf/cassandra-rackdc.properties"
  cat >"$dir/conf/logback.xml" <<'EOF'
<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %logger{0}:%line - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT"/></root>
</configuration>
EOF
  local jamm=("$lib"/jamm-*.jar)
  # Cassandra mlockall()s its memory when it may (root has CAP_IPC_LOCK), which touches the whole
  # heap: slower start and more RSS for nothing on a test box. Without the capability it logs a
  # warning and carries on.
  local nolock=""
  ((EUID != 0)) || nolock="setpriv --bounding-set -ipc_lock"
  {
    echo '#!/usr/bin/env bash'
    echo "# Starts this Cassandra node in the foreground (written by servers.sh)."
    echo "cd $(printf %q "$dir")"
    printf 'exec %s java -Xms%s -Xmx%s -Xss256k -XX:+ExitOnOutOfMemoryError' "$nolock" "$heap" "$heap"
    local -a opts=("${CASSANDRA_JVM17_OPTS[@]}")
    [[ "$(cassandra_kind)" != cassandra-4.1 ]] || opts+=("${CASSANDRA41_JVM17_OPTS[@]}")
    printf ' %q' "${opts[@]}" "-javaagent:${jamm[0]}" \
      "-Dcassandra.config=file://$dir/conf/cassandra.yaml" "-Dcassandra.storagedir=$dir" \
      "-Dcassandra.logdir=$dir" -Dcassandra-foreground=yes \
      -Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.ring_delay_ms=3000 \
      "-Dlogback.configurationFile=$dir/conf/logback.xml" \
      -cp "$dir/conf:$lib/*" org.apache.cassandra.service.CassandraDaemon
    echo
  } >"$dir/run.sh"
  chmod +x "$dir/run.sh"
}

# Starts the node whose run.sh is in <dir> (in the background, PID in <dir>/cassandra.pid) and
# waits for its CQL port on <address>.
run_cassandra_node() {
  local dir="$1" address="$2" native="$3" pid
  refuse_if_running "$dir/cassandra.pid"
  ! port_open "$native" "$address" || die "port $native on $address is already in use"
  log "starting cassandra node $address:$native, dir $dir"
  bash "$dir/run.sh" >>"$dir/cassandra.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$dir/cassandra.pid"
  wait_until "cassandra $address" "$pid" "$dir/cassandra.log" "$dir/cassandra.pid" "$dir" \
    port_open "$native" "$address"
  log "cassandra $address up (pid $pid) after ${SECONDS}s"
}

start_cassandra() {
  (($# == 3 || $# == 4)) || usage
  cassandra_version="${4:-5.0}"
  cassandra_kind >/dev/null
  local dir native="$2" storage="$3" heap="${CASSANDRA_HEAP:-1g}" lib
  dir="$(workdir_abs "$1")"
  refuse_if_running "$dir/cassandra.pid"
  require_free_ports "$native" "$storage"
  lib="$(fetch_jars "$(cassandra_kind)")"
  # One node on 127.0.0.1, data centre "datacenter1" (SimpleSnitch's name).
  write_cassandra_node "$dir" 127.0.0.1 "$native" "$storage" "127.0.0.1:$storage" SimpleSnitch \
    datacenter1 "" "$heap" "$lib"
  run_cassandra_node "$dir" 127.0.0.1 "$native"
}

# A cluster of several nodes on 127.0.0.1, 127.0.0.2, ... (Linux routes all of 127/8 to the
# loopback device), every node on the same two ports, node 1 the seed. <topology> lists the data
# centres in order with their node counts, e.g. "dc1=3" or "dc1=3,dc2=1": nodes are numbered
# across them (node<i>/ under <workdir>, address 127.0.0.<i>). Within a data centre the tokens are
# spread evenly over the ring (each data centre's ring is offset by its index, so that no two nodes
# share a token). Nodes start one after the other, each once the previous one serves CQL.
start_cassandra_cluster() {
  (($# == 4)) || usage
  local dir native="$2" storage="$3" topology="$4" heap="${CASSANDRA_HEAP:-768m}" lib
  dir="$(workdir_abs "$1")"
  [[ "$topology" =~ ^[A-Za-z0-9_]+=[1-9][0-9]*(,[A-Za-z0-9_]+=[1-9][0-9]*)*$ ]] \
    || die "bad topology '$topology' (expected e.g. dc1=3,dc2=1)"
  local -a dcs=() tokens=() entries=()
  local entry dc count d=0 i t step p
  IFS=, read -r -a entries <<<"$topology"
  for entry in "${entries[@]}"; do
    dc="${entry%%=*}" count="${entry#*=}"
    step=$((9223372036854775807 / count * 2))
    t=$((-9223372036854775807 - 1 + d))
    for ((i = 0; i < count; i++)); do
      dcs+=("$dc") tokens+=("$t")
      ((i == count - 1)) || t=$((t + step))
    done
    d=$((d + 1))
  done
  local n=${#dcs[@]}
  ((n <= 254)) || die "at most 254 nodes"
  [[ "$native" =~ ^[0-9]+$ && "$storage" =~ ^[0-9]+$ ]] || die "not a port: $native / $storage"
  for ((i = 1; i <= n; i++)); do
    refuse_if_running "$dir/node$i/cassandra.pid"
    for p in "$native" "$storage"; do
      ! port_open "$p" "127.0.0.$i" || die "port $p on 127.0.0.$i is already in use"
    done
  done
  lib="$(fetch_jars cassandra)"
  echo "$topology" >"$dir/topology"
  for ((i = 1; i <= n; i++)); do
    write_cassandra_node "$dir/node$i" "127.0.0.$i" "$native" "$storage" "127.0.0.1:$storage" \
      GossipingPropertyFileSnitch "${dcs[i - 1]}" "${tokens[i - 1]}" "$heap" "$lib"
    echo "127.0.0.$i" >"$dir/node$i/address"
    echo "$native" >"$dir/node$i/native_port"
  done
  for ((i = 1; i <= n; i++)); do
    run_cassandra_node "$dir/node$i" "127.0.0.$i" "$native"
  done
  log "cassandra cluster $topology up on 127.0.0.1-$n, port $native, after ${SECONDS}s"
}

# Starts node <i> of a cluster again (after a test stopped or killed it), on its own data.
start_cassandra_node() {
  (($# == 2)) || usage
  local dir
  dir="$(cd "$1" && pwd)/node$2"
  [[ -x "$dir/run.sh" ]] || die "no node $2 under $1"
  run_cassandra_node "$dir" "$(cat "$dir/address")" "$(cat "$dir/native_port")"
}

stop_cassandra_cluster() {
  local node
  for node in "$1"/node*/; do
    [[ -d "$node" ]] || continue
    stop_pidfile "${node%/}/cassandra.pid" "${node%/}" TERM
  done
}

# --- PostgreSQL ----------------------------------------------------------------------------------

as_postgres() {
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  (($# == 2)) || usage
  local dir port="$2" pid
  dir="$(workdir_abs "$1")"
  refuse_if_running "$dir/postgres.pid"
  require_free_ports "$port"
  if [[ ! -x "$PG_BIN/initdb" ]]; then
    ((EUID == 0)) || die "$PG_BIN/initdb missing: install postgresql-15 (needs root)"
    log "PostgreSQL 15 missing: apt-get update && apt-get install -y postgresql-15"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15
  fi
  if ((EUID == 0)); then
    chown -R postgres: "$dir"
    as_postgres test -w "$dir" || die "user postgres cannot reach $dir (is a parent directory private?)"
  fi
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
  log "starting postgres on 127.0.0.1:$port, dir $dir"
  if ! as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t "$START_TIMEOUT" \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null; then
    tail -n 60 "$dir/postgres.log" >&2 || true
    die "postgres did not start"
  fi
  pid="$(head -n1 "$dir/data/postmaster.pid")"
  echo "$pid" >"$dir/postgres.pid"
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" || die "postgres started but is not ready"
  log "postgres up (pid $pid) after ${SECONDS}s"
}

# --- S3Proxy -------------------------------------------------------------------------------------

start_s3proxy() {
  (($# == 4)) || usage
  local dir port="$2" identity="$3" credential="$4" lib pid
  dir="$(workdir_abs "$1")"
  refuse_if_running "$dir/s3proxy.pid"
  require_free_ports "$port"
  lib="$(fetch_jars s3proxy)"
  mkdir -p "$dir/blobs"
  cat >"$dir/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$identity
s3proxy.credential=$credential
jclouds.provider=filesystem
jclouds.filesystem.basedir=$dir/blobs
jclouds.identity=$identity
jclouds.credential=$credential
EOF
  log "starting s3proxy on http://127.0.0.1:$port, dir $dir"
  cd "$dir"
  java -Xmx256m -jar "$lib"/s3proxy-*-jar-with-dependencies.jar --properties "$dir/s3proxy.properties" \
    >"$dir/s3proxy.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$dir/s3proxy.pid"
  wait_until s3proxy "$pid" "$dir/s3proxy.log" "$dir/s3proxy.pid" "$dir" port_open "$port"
  log "s3proxy up (pid $pid) after ${SECONDS}s"
}

# --- Flink ---------------------------------------------------------------------------------------

# Flink 1.19's env.java.opts.all (flink-dist config.yaml): what Java 17 needs.
FLINK_JVM17_OPTS=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

# BashJavaUtils prints two result lines: JVM memory flags, then "-D key=value" dynamic settings.
flink_resource_params() {
  local lib="$1" conf="$2" cmd="$3" out
  out="$(java -Xmx128m -Dlog4j.configurationFile="file://$conf/log4j2.properties" -cp "$lib/*" \
    org.apache.flink.runtime.util.bash.BashJavaUtils "$cmd" --configDir "$conf" 2>&1)" \
    || die "BashJavaUtils $cmd failed: $out"
  out="$(grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<<"$out" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')"
  [[ "$(wc -l <<<"$out")" -eq 2 ]] || die "unexpected BashJavaUtils $cmd output: $out"
  echo "$out"
}

flink_taskmanagers() {
  curl -fsS --max-time 2 "http://127.0.0.1:$1/overview" 2>/dev/null | grep -q '"taskmanagers":1[,}]'
}

start_flink() {
  (($# == 3)) || usage
  local dir rest="$2" base="$3" lib conf jm tm jm_jvm jm_dyn tm_jvm tm_dyn jm_pid tm_pid
  dir="$(workdir_abs "$1")"
  [[ "$base" =~ ^[0-9]+$ ]] || die "not a port: $base"
  refuse_if_running "$dir/flink-jobmanager.pid" "$dir/flink-taskmanager.pid"
  require_free_ports "$rest" "$base" $((base + 1)) $((base + 2)) $((base + 3)) $((base + 4)) $((base + 5))
  lib="$(fetch_jars flink)"
  conf="$dir/conf"
  mkdir -p "$conf" "$dir/tmp" "$dir/plugins"
  export FLINK_PLUGINS_DIR="$dir/plugins"   # none; avoids a warning about ./plugins
  # cluster.registration.error-delay: the TaskManager retries after 1 s, not 10 s, while the
  # JobManager is still starting. Memory: the jobs' Cassandra driver (Netty) allocates direct
  # memory, which Flink budgets as task off-heap memory (0 by default); the archive's writers sort
  # within --sortMemoryMb and buffer object-store uploads on the heap, so managed memory (Flink's
  # own sorts) gets 20% instead of 40%: a ~850 MB heap instead of ~190 MB.
  cat >"$conf/config.yaml" <<EOF
jobmanager.rpc.address: 127.0.0.1
jobmanager.bind-host: 127.0.0.1
jobmanager.rpc.port: $base
jobmanager.memory.process.size: 1024m
blob.server.port: $((base + 1))
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.rpc.port: $((base + 2))
taskmanager.data.port: $((base + 3))
taskmanager.numberOfTaskSlots: 2
taskmanager.memory.process.size: 2048m
taskmanager.memory.managed.fraction: 0.2
taskmanager.memory.task.off-heap.size: 128m
cluster.registration.error-delay: 1000
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $rest
io.tmp.dirs: $dir/tmp
web.tmpdir: $dir/tmp
EOF
  cat >"$conf/log4j2.properties" <<'EOF'
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = out
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n
logger.pekko.name = org.apache.pekko
logger.pekko.level = WARN
EOF
  jm="$(flink_resource_params "$lib" "$conf" GET_JM_RESOURCE_PARAMS)"
  tm="$(flink_resource_params "$lib" "$conf" GET_TM_RESOURCE_PARAMS)"
  read -r -a jm_jvm <<<"$(sed -n 1p <<<"$jm")"
  read -r -a jm_dyn <<<"$(sed -n 2p <<<"$jm")"
  read -r -a tm_jvm <<<"$(sed -n 1p <<<"$tm")"
  read -r -a tm_dyn <<<"$(sed -n 2p <<<"$tm")"
  local common=("${FLINK_JVM17_OPTS[@]}" -Dlog4j.configurationFile="file://$conf/log4j2.properties"
    -Djava.io.tmpdir="$dir/tmp" -cp "$lib/*")

  log "starting flink: REST 127.0.0.1:$rest, ports $base..$((base + 5)), dir $dir"
  cd "$dir"
  java "${jm_jvm[@]}" "${common[@]}" -Dlog.file="$dir/jobmanager.log" \
    org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
    --configDir "$conf" --executionMode cluster "${jm_dyn[@]}" \
    -D metrics.internal.query-service.port=$((base + 4)) \
    >"$dir/jobmanager.log" 2>&1 </dev/null &
  jm_pid=$!
  echo "$jm_pid" >"$dir/flink-jobmanager.pid"
  java "${tm_jvm[@]}" "${common[@]}" -Dlog.file="$dir/taskmanager.log" \
    org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$conf" "${tm_dyn[@]}" \
    -D metrics.internal.query-service.port=$((base + 5)) \
    >"$dir/taskmanager.log" 2>&1 </dev/null &
  tm_pid=$!
  echo "$tm_pid" >"$dir/flink-taskmanager.pid"
  # Up when REST reports the TaskManager; if either process dies or time runs out, stop both.
  local start=$SECONDS
  until flink_taskmanagers "$rest"; do
    local why=""
    pid_alive "$jm_pid" || why="jobmanager died"
    pid_alive "$tm_pid" || why="taskmanager died"
    ((SECONDS - start < START_TIMEOUT)) || why="no taskmanager registered within ${START_TIMEOUT}s"
    if [[ -n "$why" ]]; then
      echo "servers.sh: flink: $why; last lines of the logs:" >&2
      tail -n 40 "$dir/jobmanager.log" "$dir/taskmanager.log" >&2 || true
      stop_flink "$dir" >&2
      exit 1
    fi
    sleep 0.5
  done
  log "flink up (jobmanager pid $jm_pid, taskmanager pid $tm_pid) after ${SECONDS}s"
}

stop_flink() {
  stop_pidfile "$1/flink-taskmanager.pid" "$1" TERM
  stop_pidfile "$1/flink-jobmanager.pid" "$1" TERM
}

# --- Azurite -------------------------------------------------------------------------------------

# Install Azurite from src/servers/azurite/package-lock.json into target/servers/azurite once
# (locked, atomic, like fetch_jars): `npm ci` in a scratch folder, renamed when complete. A changed
# lock file (another version) installs again. Install scripts are not run: Azurite needs none.
install_azurite() {
  local src="$ROOT/src/servers/azurite" inst="$ROOT/target/servers/azurite"
  if [[ ! -f "$inst/.complete" ]] || ! cmp -s "$src/package-lock.json" "$inst/package-lock.json"; then
    command -v node >/dev/null && command -v npm >/dev/null || die "Azurite needs Node.js and npm"
    mkdir -p "$ROOT/target/servers"
    exec 9>"$ROOT/target/servers/azurite.lock"
    flock 9
    if [[ ! -f "$inst/.complete" ]] || ! cmp -s "$src/package-lock.json" "$inst/package-lock.json"; then
      log "installing azurite into $inst" >&2
      rm -rf "$inst" "$inst.tmp"
      mkdir -p "$inst.tmp"
      cp "$src/package.json" "$src/package-lock.json" "$src/.npmrc" "$inst.tmp/"
      if ! (cd "$inst.tmp" && npm ci --ignore-scripts --no-audit --no-fund) \
        >"$ROOT/target/servers/azurite.npm.log" 2>&1; then
        cat "$ROOT/target/servers/azurite.npm.log" >&2
        die "could not install azurite"
      fi
      [[ -x "$inst.tmp/node_modules/.bin/azurite-blob" ]] || die "npm ci installed no azurite-blob"
      touch "$inst.tmp/.complete"
      mv "$inst.tmp" "$inst"
    fi
    exec 9>&-
  fi
  echo "$inst"
}

start_azurite() {
  (($# == 2)) || usage
  local dir port="$2" inst pid
  dir="$(workdir_abs "$1")"
  refuse_if_running "$dir/azurite.pid"
  require_free_ports "$port"
  inst="$(install_azurite)"
  mkdir -p "$dir/blobs"
  # Blob service only. --skipApiVersionCheck: the Azure SDK may speak a newer REST API version than
  # this Azurite knows. --disableTelemetry: Azurite reports usage to Microsoft by default.
  log "starting azurite on http://127.0.0.1:$port, dir $dir"
  cd "$dir"
  "$inst/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$port" \
    --location "$dir/blobs" --silent --skipApiVersionCheck --disableTelemetry \
    >"$dir/azurite.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$dir/azurite.pid"
  wait_until azurite "$pid" "$dir/azurite.log" "$dir/azurite.pid" "$dir" port_open "$port"
  log "azurite up (pid $pid) after ${SECONDS}s"
}

# --- command-line tools --------------------------------------------------------------------------

# The sqlite3 command-line tool (Debian's sqlite3), with which tests open SQLite archives as a user would.
ensure_sqlite3() {
  if ! command -v sqlite3 >/dev/null; then
    ((EUID == 0)) || die "sqlite3 missing: install Debian's sqlite3 package (needs root)"
    log "sqlite3 missing: apt-get update && apt-get install -y sqlite3"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y sqlite3
  fi
  command -v sqlite3
}

# The Prometheus text-format parser of the Python client (Debian's python3-prometheus-client), with
# which tests read the metrics file as a monitoring system would.
ensure_prometheus_parser() {
  if ! /usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null; then
    ((EUID == 0)) || die "python3-prometheus-client missing: install Debian's package (needs root)"
    log "python3-prometheus-client missing: apt-get update && apt-get install -y python3-prometheus-client"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y python3-prometheus-client
  fi
  echo /usr/bin/python3
}

# Debian's Chromium and its ChromeDriver, in which tests load the status page as an operator would.
ensure_chromium() {
  if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
    ((EUID == 0)) || die "chromium missing: install Debian's chromium and chromium-driver packages (needs root)"
    log "chromium missing: apt-get update && apt-get install -y chromium chromium-driver"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
  fi
  echo /usr/bin/chromium
}

# --- main ----------------------------------------------------------------------------------------

if [[ "${1:-}" == ensure ]]; then
  case "${2:-}" in
    sqlite3) ensure_sqlite3 ;;
    prometheus-parser) ensure_prometheus_parser ;;
    chromium) ensure_chromium ;;
    *) usage ;;
  esac
  exit 0
fi

(($# >= 2)) || usage
action="$1" kind="$2"
shift 2
case "$action" in
  start)
    case "$kind" in
      cassandra | postgres | s3proxy | flink) "start_$kind" "$@" ;;
      cassandra-cluster) start_cassandra_cluster "$@" ;;
      cassandra-node) start_cassandra_node "$@" ;;
      azurite) start_azurite "$@" ;;
      *) usage ;;
    esac
    ;;
  stop)
    (($# == 1)) || usage
    [[ -d "$1" ]] || exit 0
    dir="$(cd "$1" && pwd)"
    case "$kind" in
      cassandra | s3proxy) stop_pidfile "$dir/$kind.pid" "$dir" TERM ;;
      # SIGINT is PostgreSQL's "fast" shutdown: SIGTERM ("smart") would wait for clients to leave.
      postgres) stop_pidfile "$dir/postgres.pid" "$dir" INT ;;
      flink) stop_flink "$dir" ;;
      cassandra-cluster) stop_cassandra_cluster "$dir" ;;
      azurite) stop_pidfile "$dir/azurite.pid" "$dir" TERM ;;
      *) usage ;;
    esac
    ;;
  *) usage ;;
esac
