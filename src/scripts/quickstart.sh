#!/usr/bin/env bash
# Quick start: build the jar, start a throwaway Cassandra on loopback, load generated assessment
# rows (several batches over several weeks, the current unfinished week, a few rows with no
# time column), archive every complete week on the DirectRunner, and print what was archived.
# Needs only JDK 17 and Maven. The files, the ledger and the dead letters stay under ./quickstart/.
#
#   bash src/scripts/quickstart.sh [--keep-cassandra]
#
# Ports: QS_CASSANDRA_PORT (default 19042) and QS_STORAGE_PORT (default 17000) on 127.0.0.1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
QS="$ROOT/quickstart"
PORT="${QS_CASSANDRA_PORT:-19042}"
STORAGE_PORT="${QS_STORAGE_PORT:-17000}"
KEEP=0
[[ "${1:-}" == "--keep-cassandra" ]] && KEEP=1

start=$SECONDS
echo "== 1/4 building target/beam-archiver.jar"
mvn -B -q package -DskipTests

echo "== 2/4 starting a throwaway Cassandra 5.0 on 127.0.0.1:$PORT (state in $QS/cassandra)"
mkdir -p "$QS"
bash src/scripts/servers.sh stop cassandra "$QS/cassandra" >/dev/null 2>&1 || true
rm -rf "$QS/cassandra" "$QS/archive" "$QS"/ledger*
bash src/scripts/servers.sh start cassandra "$QS/cassandra" "$PORT" "$STORAGE_PORT"
if [[ $KEEP == 0 ]]; then
  trap 'bash src/scripts/servers.sh stop cassandra "$QS/cassandra" >/dev/null || true' EXIT
fi

echo "== 3/4 loading sample rows into sunbird_courses.assessment_aggregator"
java -jar target/beam-archiver.jar sample --cassandraPort="$PORT" \
  --rows=5000 --batches=4 --weeks=4 --deadLetterRows=3

echo "== 4/4 archiving every complete week (DirectRunner)"
set +e
java -jar target/beam-archiver.jar archive \
  --tableSpec=pipelines/assessment.yaml \
  --cassandraPort="$PORT" \
  --period=ALL \
  --archiveRoot="$QS/archive" \
  --ledgerUrl="jdbc:h2:file:$QS/ledger"
code=$?
set -e

cat <<EOT

Quick start finished in $((SECONDS - start))s (archive exit code $code).
  archive files: $QS/archive/archived-batches/assessment/
  dead letters:  $QS/archive/dead-letters/assessment/
  ledger (H2):   jdbc:h2:file:$QS/ledger   (table archival_metadata)
EOT
if [[ $KEEP == 1 ]]; then
  echo "  Cassandra still runs on 127.0.0.1:$PORT; stop it with:"
  echo "    bash src/scripts/servers.sh stop cassandra $QS/cassandra"
fi
exit $code
