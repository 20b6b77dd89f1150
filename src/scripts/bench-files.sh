#!/usr/bin/env bash
# The cost of a files table's archive, verify, delete, recycling delete and restore per GiB, against
# the shell peers a script would use (cp -r, then sha256sum of every copy), in the same run.
#
#   bash src/scripts/bench-files.sh [--gib=1] [--files=8] [--rounds=3] [--heap=512m] [--no-build]
#
# Data: --files files of random bytes, --gib GiB in all, in --files dt= folders of past weeks, on
# the local disk (the same disk for source, archive and bin). Writes target/bench/files.md: the
# machine (cores, the peer's rate), then per step the best and median seconds, GiB/s and the ratio
# to the peer (the peer's time divided by the step's: 1.0 = as fast as cp + sha256sum); and the
# fixed cost of a command (JVM start, ledger, lease, manifest: an archive of one 1-byte file), so
# that the cost per GiB beyond it shows what a larger table pays.
set -euo pipefail
cd "$(dirname "$0")/../.."
GIB=1; FILES=8; ROUNDS=3; HEAP=512m; BUILD=1
for a in "$@"; do
  case "$a" in
    --gib=*) GIB="${a#--gib=}" ;;
    --files=*) FILES="${a#--files=}" ;;
    --rounds=*) ROUNDS="${a#--rounds=}" ;;
    --heap=*) HEAP="${a#--heap=}" ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "unknown argument $a; valid: --gib=N --files=N --rounds=N --heap=SIZE --no-build" >&2; exit 2 ;;
  esac
done
[[ "$GIB" =~ ^[0-9]+(\.[0-9]+)?$ && "$FILES" =~ ^[1-9][0-9]*$ && "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "--gib, --files, --rounds take numbers" >&2; exit 2; }
[[ $BUILD == 1 ]] && mvn -B -q package -DskipTests
JAR="$PWD/target/beam-archiver.jar"
OUT=target/bench; mkdir -p "$OUT"; W="$(mktemp -d "${TMPDIR:-/tmp}/bench-files.XXXXXX")"; trap 'rm -rf "$W"' EXIT
BYTES=$(python3 -c "print(int($GIB * 1024**3))")
PER=$(( BYTES / FILES ))
now() { date +%s.%N; }
declare -A T
run() { # run <step> <round> -- command...
  local step=$1 round=$2; shift 3
  local t0; t0=$(now)
  "$@" >"$W/$step-$round.log" 2>&1 || { echo "step $step failed (round $round):"; tail -20 "$W/$step-$round.log"; exit 1; }
  T[$step,$round]=$(python3 -c "print(f'{$(now) - $t0:.2f}')")
  echo "  $step round $round: ${T[$step,$round]} s"
}
for r in $(seq 1 "$ROUNDS"); do
  rm -rf "$W/lake" "$W/archive" "$W/peer" "$W/bin" "$W/ledger"* "$W/restored"
  for i in $(seq 1 "$FILES"); do
    d="$W/lake/dt=2026-$(printf '%02d' $(( 1 + i % 10 )))-$(printf '%02d' $(( 1 + i % 27 )))"
    mkdir -p "$d"; head -c "$PER" /dev/urandom > "$d/part-$i.bin"
  done
  printf "archiveType: bench\nsource: {kind: files, location: '%s', partitionDate: 'dt={date}'}\n" "$W/lake" > "$W/t.yaml"
  echo "bench-files signing key, long enough" > "$W/key"
  sync
  A=(--tableSpec="$W/t.yaml" --period=ALL --asOf=2026-12-03T10:00:00Z --archiveRoot="$W/archive" --ledgerUrl="jdbc:h2:file:$W/ledger" --signingKeyFile="$W/key")
  run peer_cp_sha256sum "$r" -- bash -c "cp -r '$W/lake' '$W/peer' && find '$W/peer' -type f -exec sha256sum {} + > /dev/null"
  run archive "$r" -- java -Xmx"$HEAP" -jar "$JAR" archive "${A[@]}"
  run verify "$r" -- java -Xmx"$HEAP" -jar "$JAR" verify "${A[@]}"
  run delete "$r" -- java -Xmx"$HEAP" -jar "$JAR" delete "${A[@]}"
  run restore "$r" -- java -Xmx"$HEAP" -jar "$JAR" restore "${A[@]}"
  # the restore left the ledger saying deleted: a fresh archive for the recycling delete
  rm -rf "$W/archive" "$W/ledger"*
  java -Xmx"$HEAP" -jar "$JAR" archive "${A[@]}" > "$W/re-archive.log" 2>&1
  run delete_recycle "$r" -- java -Xmx"$HEAP" -jar "$JAR" delete "${A[@]}" --recycleRoot="$W/bin"
  rm -rf "$W/peer"
  # the fixed cost of a command (JVM, ledger, lease, manifest): the same archive of one 1-byte file
  rm -rf "$W/tiny" "$W/tiny-archive" "$W/tiny-ledger"*; mkdir -p "$W/tiny/dt=2026-11-02"; echo > "$W/tiny/dt=2026-11-02/a"
  printf "archiveType: tiny\nsource: {kind: files, location: '%s', partitionDate: 'dt={date}'}\n" "$W/tiny" > "$W/tiny.yaml"
  run archive_one_tiny_file "$r" -- java -Xmx"$HEAP" -jar "$JAR" archive --tableSpec="$W/tiny.yaml" --period=ALL --asOf=2026-12-03T10:00:00Z \
    --archiveRoot="$W/tiny-archive" --ledgerUrl="jdbc:h2:file:$W/tiny-ledger" --signingKeyFile="$W/key"
done
python3 - "$OUT/files.md" "$GIB" "$FILES" "$ROUNDS" "$(nproc)" <<PY
import sys, statistics
out, gib, files, rounds, cores = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
t = {}
for line in """$(for k in "${!T[@]}"; do echo "$k ${T[$k]}"; done)""".strip().splitlines():
    key, v = line.split(" ")
    step, r = key.split(",")
    t.setdefault(step, []).append(float(v))
peer = statistics.median(t["peer_cp_sha256sum"])
rows = ["| step | best s | median s | GiB/s (median) | s per GiB | s per GiB beyond the fixed cost | ratio to peer |", "|---|---|---|---|---|---|---|"]
fixed = statistics.median(t["archive_one_tiny_file"])
for step in ["peer_cp_sha256sum", "archive", "verify", "delete", "delete_recycle", "restore", "archive_one_tiny_file"]:
    m = statistics.median(t[step])
    if step == "archive_one_tiny_file":
        rows.append(f"| {step} (the fixed cost of a command) | {min(t[step]):.2f} | {m:.2f} | | | | |")
        continue
    beyond = "" if step in ("peer_cp_sha256sum", "verify") else f"{(m - fixed) / gib:.2f}"
    rows.append(f"| {step} | {min(t[step]):.2f} | {m:.2f} | {gib / m:.3f} | {m / gib:.2f} | {beyond} | {peer / m:.2f} |")
text = (f"# Files table: cost per GiB\n\nMachine: {cores} cores; {gib:g} GiB in {files} files on the local disk; {rounds} round(s);"
        f" the peer (cp -r, then sha256sum of every copy) at {gib / peer:.3f} GiB/s.\n\n" + "\n".join(rows) + "\n")
open(out, "w").write(text)
print(text)
PY
