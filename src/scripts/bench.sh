#!/usr/bin/env bash
# Benchmark: archive and delete throughput against DSBulk and the raw driver, and peak memory
# at two data sizes, on one Cassandra started for the run. Not part of the tests.
#
#   bash src/scripts/bench.sh [--rows=1000000,5000000] [--rounds=1] [--heap=1g] [--no-build] [--skip-flink]
#                             [--steps=a,a2,b,c,p,d,e,t,f] [--baseline-jar=JAR]
#
# A size may carry its own number of rounds: --rows=1000000x3,3000000x1. --steps runs only the
# named steps (e and f need c, t needs e). --baseline-jar adds step p0: the Parquet archive by another
# build of the jar (an earlier commit's target/beam-archiver.jar), run before p in odd rounds and
# after it in even ones, so a format change is measured against its predecessor on the same data.
#
# For every size: load N generated assessment rows (300 batches over 12 weeks, ~3 questions a
# row, 4 attempts per learner, course and week), then measure on the same data, each as its own process under /usr/bin/time:
#   a  raw driver token-range scan, decode and discard         (bench-scan)
#   a2 the same scan writing one gzip CSV (minimal archiver)   (bench-scan --output)
#   b  dsbulk unload to gzip CSV                               (DSBulk 1.10 from Maven Central)
#   c  archive --period=ALL on the DirectRunner
#   p  the same archive with --format=PARQUET                  (p0: the same by --baseline-jar)
#   d  archive --period=ALL on embedded Flink
#   e  delete of everything archived (verified, guarded)
#   t  archive again over the mass-deleted table (tombstones)
#   f  raw driver deletes of the same keys (after reloading the same rows)
# Rates are whole-process rows/s; CPU is client user+sys seconds per million rows, plus the
# Cassandra server's CPU over the same step. Every client JVM gets the same -Xmx (--heap), so
# peak RSS is what a run needs, not how far the collector let the heap grow. Results: BENCHMARKS.md (and target/bench/results.tsv; a run with --steps writes target/bench/BENCHMARKS.md).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

SIZES="1000000,5000000"; ROUNDS=1; BUILD=1; FLINK=1; HEAP=1g; STEPS="a,a2,b,c,p,d,e,t,f"; BASELINE=""; PARTIAL=0
for a in "$@"; do
  case "$a" in
    --rows=*) SIZES="${a#--rows=}"; [[ "$SIZES" =~ ^[0-9]+(x[0-9]+)?(,[0-9]+(x[0-9]+)?)*$ ]] || { echo "--rows takes sizes N or NxROUNDS, comma-separated (1000000x3,3000000), got $SIZES" >&2; exit 2; } ;;
    --rounds=*) ROUNDS="${a#--rounds=}" ;;
    --heap=*) HEAP="${a#--heap=}" ;;
    --no-build) BUILD=0 ;;
    --skip-flink) FLINK=0 ;;
    --steps=*) STEPS="${a#--steps=}"; PARTIAL=1; [[ ",$STEPS," =~ ^(,(a|a2|b|c|p|d|e|t|f))+,$ ]] || { echo "--steps takes a comma list of a, a2, b, c, p, d, e, t, f; got $STEPS" >&2; exit 2; } ;;
    --baseline-jar=*) BASELINE="$(realpath "${a#--baseline-jar=}")"; [[ -f "$BASELINE" ]] || { echo "--baseline-jar: no such file ${a#--baseline-jar=}" >&2; exit 2; } ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "unknown argument $a; valid: --rows=N[,M] --rounds=R --heap=SIZE --no-build --skip-flink --steps=LIST --baseline-jar=JAR" >&2; exit 2 ;;
  esac
done
want() { [[ ",$STEPS," == *",$1,"* ]] && ! [[ $1 == d && $FLINK == 0 ]]; }
for s in e f; do want "$s" && ! want c && { echo "--steps: step $s needs step c (it deletes the keys c archived)" >&2; exit 2; }; done
want t && ! want e && { echo "--steps: step t needs step e (it archives the table e mass-deleted)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "installing GNU time"; apt-get update -qq && apt-get install -y -qq time; }

B="$ROOT/target/bench"
PORT="${BENCH_CASSANDRA_PORT:-19142}"; STORAGE="${BENCH_STORAGE_PORT:-17142}"
JAR="$ROOT/target/beam-archiver.jar"
# The peers are not in the product jar: they run from bench/peers' jar beside it, through the
# benchmark's launcher (the product's commands plus bench-scan and bench-raw-delete).
BENCH_CP="$JAR:$ROOT/bench/peers/target/beam-archiver-bench.jar"
PEERS=org.beamarchiver.bench.BenchMain
mkdir -p "$B"
[[ $BUILD == 1 ]] && { echo "== building"; mvn -B -q -f bench/pom.xml package -DskipTests; }
DSBULK_LIB="$ROOT/target/servers/dsbulk/lib"
if [[ ! -d "$DSBULK_LIB" ]]; then
  echo "== fetching DSBulk 1.10 jars"
  mvn -B -q -f src/servers/dsbulk/pom.xml dependency:copy-dependencies -DoutputDirectory="$DSBULK_LIB.tmp" >/dev/null
  mv "$DSBULK_LIB.tmp" "$DSBULK_LIB"
fi

bash src/scripts/servers.sh stop cassandra "$B/cassandra" >/dev/null 2>&1 || true
rm -rf "$B/cassandra"
CASSANDRA_HEAP="${CASSANDRA_HEAP:-2g}" bash src/scripts/servers.sh start cassandra "$B/cassandra" "$PORT" "$STORAGE"
trap 'bash src/scripts/servers.sh stop cassandra "$B/cassandra" >/dev/null 2>&1 || true' EXIT
CPID="$(cat "$B/cassandra/cassandra.pid")"
TCK="$(getconf CLK_TCK)"
cass_cpu() { awk -v t="$TCK" '{printf "%.2f", ($14+$15)/t}' "/proc/$CPID/stat"; }

RES="$B/results.tsv"
echo -e "size\tround\tstep\trows\twall_s\tuser_s\tsys_s\tmaxrss_kb\tcassandra_cpu_s" >"$RES"
CASS=(--cassandraPort="$PORT")
SPLITS=(--cassandraSplits=256)

# measure <size> <round> <step> <rows-or-'-'> <log> -- command...
measure() {
  local size=$1 round=$2 step=$3 rows=$4 log=$5; shift 6
  local c0 c1; c0=$(cass_cpu)
  /usr/bin/time -f "%e %U %S %M" -o "$B/time.out" "$@" >"$log" 2>&1 || { echo "step $step failed, see $log" >&2; tail -20 "$log" >&2; exit 1; }
  c1=$(cass_cpu)
  read -r wall user sys rss <"$B/time.out"
  if [[ "$rows" == "-" ]]; then rows=$(grep -oE '[0-9]+ rows' "$log" | head -1 | grep -oE '[0-9]+' || echo 0); fi
  echo -e "$size\t$round\t$step\t$rows\t$wall\t$user\t$sys\t$rss\t$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.1f", b-a}')" | tee -a "$RES"
}

reload() { # size: fresh keyspace with the same generated rows
  java -jar "$JAR" sample "${CASS[@]}" --rows="$1" --batches=300 --weeks=12 --deadLetterRows=0 --seed=7 --inFlight=512 >"$B/load.log" 2>&1
  cat "$B/load.log"
}

parquet() { # step jar: the size's Direct archive as Parquet (round $r, into $W), and the bytes it wrote
  measure "$N" "$r" "$1" "$N" "$W/$1.log" -- java -Xmx"$HEAP" -jar "$2" archive "${CASS[@]}" "${SPLITS[@]}" --period=ALL \
    --format=PARQUET --archiveRoot="$W/$1" --ledgerUrl="jdbc:h2:file:$W/ledger-$1"
  echo "   $1: $(du -sb "$W/$1/archived-batches" | cut -f1) bytes of Parquet"
}

IFS=',' read -ra SIZE_LIST <<<"$SIZES"
for SIZE in "${SIZE_LIST[@]}"; do
  N="${SIZE%x*}"; R="$ROUNDS"; [[ "$SIZE" == *x* ]] && R="${SIZE#*x}"
  for ((r = 1; r <= R; r++)); do
    echo "== size $N, round $r"
    java -cp "$BENCH_CP" org.beamarchiver.bench.DropKeyspace "$PORT" sunbird_courses
    measure "$N" "$r" load "$N" "$B/load.log" -- java -Xmx"$HEAP" -jar "$JAR" sample "${CASS[@]}" --rows="$N" --batches=300 --weeks=12 --deadLetterRows=0 --seed=7 --inFlight=512
    W="$B/run-$N-$r"; rm -rf "$W"; mkdir -p "$W"
    want a && measure "$N" "$r" a_raw_scan - "$W/a.log" -- java -Xmx"$HEAP" -cp "$BENCH_CP" "$PEERS" bench-scan "${CASS[@]}" "${SPLITS[@]}"
    want a2 && measure "$N" "$r" a2_minimal_archiver - "$W/a2.log" -- java -Xmx"$HEAP" -cp "$BENCH_CP" "$PEERS" bench-scan "${CASS[@]}" "${SPLITS[@]}" --output="$W/minimal.csv.gz"
    want b && measure "$N" "$r" b_dsbulk_unload "$N" "$W/b.log" -- java -Xmx"$HEAP" -cp "$DSBULK_LIB/*" com.datastax.oss.dsbulk.runner.DataStaxBulkLoader unload \
      -h 127.0.0.1 -port "$PORT" -dc datacenter1 -k sunbird_courses -t assessment_aggregator \
      -url "$W/dsbulk" --connector.csv.compression gzip -logDir "$W/dsbulk-logs" -verbosity quiet \
      -maxConcurrentQueries 2 --executor.continuousPaging.enabled false --log.checkpoint.enabled false --log.ansiMode disabled \
      --driver.advanced.netty.io-group.shutdown.quiet-period 0 --driver.advanced.netty.admin-group.shutdown.quiet-period 0
    want c && measure "$N" "$r" c_archive_direct "$N" "$W/c.log" -- java -Xmx"$HEAP" -jar "$JAR" archive "${CASS[@]}" "${SPLITS[@]}" --period=ALL \
      --archiveRoot="$W/direct" --ledgerUrl="jdbc:h2:file:$W/ledger-direct"
    if want p; then
      [[ -n "$BASELINE" && $((r % 2)) == 1 ]] && parquet p0_archive_parquet_baseline "$BASELINE"
      parquet p_archive_parquet "$JAR"
      [[ -n "$BASELINE" && $((r % 2)) == 0 ]] && parquet p0_archive_parquet_baseline "$BASELINE"
    fi
    if want d; then
      measure "$N" "$r" d_archive_flink "$N" "$W/d.log" -- java -Xmx"$HEAP" -jar "$JAR" archive "${CASS[@]}" "${SPLITS[@]}" --period=ALL \
        --archiveRoot="$W/flink" --ledgerUrl="jdbc:h2:file:$W/ledger-flink" --runner=FlinkRunner --flinkMaster=[local] --parallelism=2
    fi
    if want c; then
      ARCHIVED=$(grep -oE 'rows: [0-9]+ read, [0-9]+ archived' "$W/c.log" | grep -oE '[0-9]+ archived' | grep -oE '[0-9]+')
    fi
    want e && measure "$N" "$r" e_delete_verified "$ARCHIVED" "$W/e.log" -- java -Xmx"$HEAP" -jar "$JAR" delete "${CASS[@]}" --period=ALL \
      --archiveRoot="$W/direct" --ledgerUrl="jdbc:h2:file:$W/ledger-direct" --deleteConcurrency=256
    want t && measure "$N" "$r" t_archive_after_mass_delete "$N" "$W/t.log" -- java -Xmx"$HEAP" -jar "$JAR" archive "${CASS[@]}" "${SPLITS[@]}" --period=ALL \
      --archiveRoot="$W/tomb" --ledgerUrl="jdbc:h2:file:$W/ledger-tomb"
    if want f; then
      reload "$N" >/dev/null
      measure "$N" "$r" f_raw_delete "$ARCHIVED" "$W/f.log" -- java -Xmx"$HEAP" -cp "$BENCH_CP" "$PEERS" bench-raw-delete "${CASS[@]}" --output="$W/direct" --inFlight=256
    fi
  done
done

# A partial run (--steps) does not replace the full tables in BENCHMARKS.md: its report stays in target/bench.
REPORT="$ROOT/BENCHMARKS.md"; [[ $PARTIAL == 0 ]] || REPORT="$B/BENCHMARKS.md"
java -cp "$BENCH_CP" org.beamarchiver.bench.BenchReport "$RES" "$REPORT" "$HEAP"
echo "== written $REPORT"
