#!/usr/bin/env bash
# The cost of a cascade (pipelines/jobs.yaml: five PostgreSQL tables and a summary) per row and per
# parent, against what a script would do with psql, in the same run on one PostgreSQL started for it.
#
#   bash src/scripts/bench-cascade.sh [--submissions=20000] [--rounds=3] [--heap=1g] [--no-build]
#
# Data: jobs.load_sample(N) (pipelines/jobs-schema.sql): N submissions, ~40 rows each in all five
# tables, over 8 weeks. Per round, each step on a freshly loaded database:
#   peer_copy_out      psql: COPY of the archivable rows of every table to gzip CSV (the archive's peer)
#   archive_csv        archive --period=ALL --format=CSV_GZ (a file per table per partition)
#   archive_sqlite     archive --period=ALL (the spec's SQLITE: one file per partition)
#   archive_nothing    the same archive of a batch that does not exist: a command's fixed cost (JVM,
#                      spec checked against the database, ledger, lease, plan, manifest)
#   peer_delete        psql: per submission one transaction deleting its family bottom-up, unchecked, no summary
#   delete             the verified delete of archive_csv (each family locked, compared, summarised, deleted)
#   delete_no_summary  the same delete with a spec without the summary (the summary's cost = delete - this)
# Writes target/bench/cascade.md: the machine (cores, the peer's rate), per step the median seconds,
# rows/s (all five tables), parents/s and the ratio to its peer; and the summary's cost per parent.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=20000; ROUNDS=3; HEAP=1g; BUILD=1
for a in "$@"; do
  case "$a" in
    --submissions=*) N="${a#--submissions=}" ;;
    --rounds=*) ROUNDS="${a#--rounds=}" ;;
    --heap=*) HEAP="${a#--heap=}" ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "unknown argument $a; valid: --submissions=N --rounds=N --heap=SIZE --no-build" >&2; exit 2 ;;
  esac
done
[[ "$N" =~ ^[1-9][0-9]*$ && "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "--submissions and --rounds take numbers" >&2; exit 2; }
[[ $BUILD == 1 ]] && mvn -B -q package -DskipTests
JAR="$PWD/target/beam-archiver.jar"
OUT=target/bench; mkdir -p "$OUT"; W="$(mktemp -d "${TMPDIR:-/tmp}/bench-cascade.XXXXXX")"; chmod 755 "$W" # the postgres user reaches its data folder
PORT="${BENCH_PG_PORT:-15532}"; PG_BIN=/usr/lib/postgresql/15/bin
bash src/scripts/servers.sh start postgres "$W/pg" "$PORT" >/dev/null
trap 'bash src/scripts/servers.sh stop postgres "$W/pg" >/dev/null 2>&1 || true; rm -rf "$W"' EXIT
PSQL=("$PG_BIN/psql" -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
AS_OF=2026-11-18T12:00:00Z
URL="jdbc:postgresql://127.0.0.1:$PORT/bench?user=postgres"
echo "bench-cascade signing key, long enough" > "$W/key"
sed 's/^summary:/unused_summary:/; /^unused_summary:/,$d' pipelines/jobs.yaml > "$W/no-summary.yaml"
now() { date +%s.%N; }
declare -A T
run() { # run <step> <round> -- command...
  local step=$1 round=$2; shift 3
  local t0; t0=$(now)
  "$@" >"$W/$step-$round.log" 2>&1 || { echo "step $step failed (round $round):"; tail -20 "$W/$step-$round.log"; exit 1; }
  T[$step,$round]=$(python3 -c "print(f'{$(now) - $t0:.2f}')")
  echo "  $step round $round: ${T[$step,$round]} s"
}
reload() {
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
  "${PSQL[@]}" -d bench -f pipelines/jobs-schema.sql
  "${PSQL[@]}" -d bench -c "SELECT jobs.load_sample($N, '$AS_OF')" >/dev/null
  "${PSQL[@]}" -d bench -c "VACUUM ANALYZE"
}
ARCHIVABLE="SELECT submission_id FROM jobs.submission WHERE updated_at < timestamptz '2026-11-16T00:00:00Z'"
count() { "${PSQL[@]}" -d bench -At -c "$1"; }
A=(--sourceJdbcUrl="$URL" --period=ALL --asOf="$AS_OF" --signingKeyFile="$W/key" --jdbcSplits=8)
for r in $(seq 1 "$ROUNDS"); do
  echo "== round $r"
  rm -rf "$W/csv" "$W/sqlite" "$W/nothing" "$W/copy" "$W/ledger"*; mkdir -p "$W/copy"
  reload
  PARENTS=$(count "SELECT count(*) FROM ($ARCHIVABLE) s")
  ROWS=$(count "SELECT (SELECT count(*) FROM jobs.submission WHERE submission_id IN ($ARCHIVABLE))
    + (SELECT count(*) FROM jobs.submission_history WHERE submission_id IN ($ARCHIVABLE))
    + (SELECT count(*) FROM jobs.job WHERE submission_id IN ($ARCHIVABLE))
    + (SELECT count(*) FROM jobs.job_history WHERE submission_id IN ($ARCHIVABLE))
    + (SELECT count(*) FROM jobs.job_file WHERE submission_id IN ($ARCHIVABLE))")
  echo "  $PARENTS archivable submissions, $ROWS rows in the five tables"
  for t in submission submission_history job job_history job_file; do
    echo "\\copy (SELECT * FROM jobs.$t WHERE submission_id IN ($ARCHIVABLE) ORDER BY 1) TO PROGRAM 'gzip > $W/copy/$t.csv.gz' CSV HEADER"
  done > "$W/peer-copy.sql"
  run peer_copy_out "$r" -- "${PSQL[@]}" -d bench -f "$W/peer-copy.sql"
  run archive_csv "$r" -- java -Xmx"$HEAP" -jar "$JAR" archive --tableSpec=pipelines/jobs.yaml "${A[@]}" --format=CSV_GZ \
    --archiveRoot="$W/csv" --ledgerUrl="jdbc:h2:file:$W/ledger-csv"
  run archive_sqlite "$r" -- java -Xmx"$HEAP" -jar "$JAR" archive --tableSpec=pipelines/jobs.yaml "${A[@]}" \
    --archiveRoot="$W/sqlite" --ledgerUrl="jdbc:h2:file:$W/ledger-sqlite"
  run archive_nothing "$r" -- java -Xmx"$HEAP" -jar "$JAR" archive --tableSpec=pipelines/jobs.yaml "${A[@]}" --batchIds=no-such-batch \
    --archiveRoot="$W/nothing" --ledgerUrl="jdbc:h2:file:$W/ledger-nothing"
  run delete "$r" -- java -Xmx"$HEAP" -jar "$JAR" delete --tableSpec=pipelines/jobs.yaml "${A[@]}" \
    --archiveRoot="$W/csv" --ledgerUrl="jdbc:h2:file:$W/ledger-csv"
  [[ "$(count "SELECT count(*) FROM jobs.archived_submission")" == "$PARENTS" ]] || { echo "the delete left $(count "SELECT count(*) FROM jobs.archived_submission") summaries for $PARENTS submissions"; exit 1; }
  reload
  "${PSQL[@]}" -d bench -At -c "SELECT format('BEGIN; DELETE FROM jobs.job_file WHERE submission_id = %s; DELETE FROM jobs.job_history WHERE submission_id = %s; DELETE FROM jobs.job WHERE submission_id = %s; DELETE FROM jobs.submission_history WHERE submission_id = %s; DELETE FROM jobs.submission WHERE submission_id = %s; COMMIT;', i, i, i, i, i) FROM ($ARCHIVABLE) AS s(i)" > "$W/peer-delete.sql"
  run peer_delete "$r" -- "${PSQL[@]}" -d bench -f "$W/peer-delete.sql"
  reload
  rm -rf "$W/ns" "$W/ledger-ns"*
  java -Xmx"$HEAP" -jar "$JAR" archive --tableSpec="$W/no-summary.yaml" "${A[@]}" --format=CSV_GZ \
    --archiveRoot="$W/ns" --ledgerUrl="jdbc:h2:file:$W/ledger-ns" > "$W/ns-archive.log" 2>&1
  run delete_no_summary "$r" -- java -Xmx"$HEAP" -jar "$JAR" delete --tableSpec="$W/no-summary.yaml" "${A[@]}" \
    --archiveRoot="$W/ns" --ledgerUrl="jdbc:h2:file:$W/ledger-ns"
  [[ "$(count "SELECT count(*) FROM jobs.submission WHERE submission_id IN ($ARCHIVABLE)")" == 0 ]] || { echo "delete_no_summary left submissions"; exit 1; }
done
python3 - "$OUT/cascade.md" "$N" "$ROUNDS" "$(nproc)" "$PARENTS" "$ROWS" <<PY
import sys, statistics
out, n, rounds, cores, parents, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
t = {}
for line in """$(for k in "${!T[@]}"; do echo "$k ${T[$k]}"; done)""".strip().splitlines():
    key, v = line.split(" ")
    step, r = key.split(",")
    t.setdefault(step, []).append(float(v))
m = {k: statistics.median(v) for k, v in t.items()}
peer = {"archive_csv": "peer_copy_out", "archive_sqlite": "peer_copy_out", "delete": "peer_delete", "delete_no_summary": "peer_delete"}
fixed = m["archive_nothing"]
lines = ["| step | best s | median s | rows/s (five tables) | parents/s | rows/s beyond the fixed cost | ratio to peer |", "|---|---|---|---|---|---|---|"]
for step in ["peer_copy_out", "archive_csv", "archive_sqlite", "archive_nothing", "peer_delete", "delete", "delete_no_summary"]:
    if step == "archive_nothing":
        lines.append(f"| {step} (a command's fixed cost) | {min(t[step]):.2f} | {m[step]:.2f} | | | | |")
        continue
    ratio = f"{m[peer[step]] / m[step]:.2f}" if step in peer else ""
    beyond = f"{rows / (m[step] - fixed):,.0f}" if step in peer else ""
    lines.append(f"| {step} | {min(t[step]):.2f} | {m[step]:.2f} | {rows / m[step]:,.0f} | {parents / m[step]:,.0f} | {beyond} | {ratio} |")
cost = (m["delete"] - m["delete_no_summary"]) / parents * 1000
text = (f"# Cascade: cost per row and per parent\n\nMachine: {cores} cores; PostgreSQL 15 on the same machine; {n} submissions loaded,"
        f" {parents} archivable with {rows} rows in five tables; {rounds} round(s); the archive's peer (psql COPY of the five tables to gzip CSV)"
        f" at {rows / m['peer_copy_out']:,.0f} rows/s, the delete's peer (psql, a transaction per submission deleting its family unchecked)"
        f" at {parents / m['peer_delete']:,.0f} parents/s.\n\n" + "\n".join(lines)
        + f"\n\nThe summary costs {cost:.2f} ms per parent (the median delete minus the median delete without a summary).\n")
open(out, "w").write(text)
print(text)
PY
