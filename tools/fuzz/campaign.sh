#!/usr/bin/env bash
# Long fuzzing campaigns: each named target (default: all) fuzzes for SECONDS in its own JVM, one after another,
# continuing from the corpus earlier campaigns left in fcn4j-core/.cifuzz-corpus/TARGET. A finding stops that
# target's run; Jazzer writes the input to fcn4j-core/src/test/resources/org/fcn4j/fuzz/ParserFuzzTestInputs/TARGET/,
# where the suite replays it from then on. Prints one line per target: executions, coverage, corpus, outcome.
#
#   tools/fuzz/campaign.sh 600                 # every target, 10 minutes each
#   tools/fuzz/campaign.sh 3600 pth unpickler  # two targets, an hour each
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:?usage: campaign.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(unpickler pth safetensors image labelMap config cfgOptions)
./mvnw -B -q -o install -DskipTests >/dev/null 2>&1 || { echo "build failed: ./mvnw install -DskipTests" >&2; exit 1; }
logs=$(mktemp -d)
printf '%-12s %12s %10s %8s %s\n' target executions coverage corpus outcome
for t in "${targets[@]}"; do
  log="$logs/$t.log"
  if JAZZER_FUZZ=1 ./mvnw -B -o test -pl fcn4j-core -Dtest="ParserFuzzTest#$t" \
      -Djazzer.internal.arg.0=fake_argv0 -Djazzer.internal.arg.1="-max_total_time=$seconds" >"$log" 2>&1; then
    outcome="no findings"
  else
    outcome="FINDING (see $log)"
  fi
  # libFuzzer's last status line: "#N  DONE  cov: C ft: F corp: K/SIZE ..."
  status=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  execs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$status")
  cov=$(grep -oE 'cov: [0-9]+' <<<"$status" | cut -d' ' -f2 || true)
  corp=$(grep -oE 'corp: [0-9]+' <<<"$status" | cut -d' ' -f2 || true)
  printf '%-12s %12s %10s %8s %s\n' "$t" "${execs:-?}" "${cov:-?}" "${corp:-?}" "$outcome"
done
