#!/usr/bin/env bash
# Times our dynamics and trajopt benchmarks and the original implementation on the same exported
# problems, one after the other in the same sitting, and prints one Markdown table per size.
#
#   bench/original/side-by-side.sh --gps-src CHECKOUT SIZE...      (SIZE: small, medium, large)
#
# CHECKOUT is a checkout of cbfinn/gps (GPS_ORIGINAL may name it instead of --gps-src). Per size:
# `jobs/gps benchmark dynamics` and `benchmark trajopt` with --export, then time_original.py on
# the exported problems. Environment: WARMUPS (our untimed rounds, default 5), REPEATS (timed
# repeats of both, default 3), ORIG_WARMUPS (the original's untimed rounds, default 1), EM_INIT
# (our --em-init, default auto; random_assignment is the original's start), GPS_NATIVE_BLAS=1 (ours
# on the native BLAS that numpy uses too, see jobs/gps), PYTHON
# (default /usr/bin/python3, which needs numpy and scipy: jobs/install-bench-deps), KEEP=1 keeps
# the work directory (exports, logs, our tables). Exit codes: 0 done, 2 bad arguments, other: a
# step failed (its log is printed).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
WARMUPS="${WARMUPS:-5}"
REPEATS="${REPEATS:-3}"
ORIG_WARMUPS="${ORIG_WARMUPS:-1}"
EM_INIT="${EM_INIT:-auto}"
SRC="${GPS_ORIGINAL:-}"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
SIZES=()
while (($#)); do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --gps-src) [[ $# -ge 2 ]] || { echo "side-by-side.sh: --gps-src needs a directory" >&2; exit 2; }
               SRC="$2"; shift 2 ;;
    small|medium|large) SIZES+=("$1"); shift ;;
    *) echo "side-by-side.sh: unknown argument '$1'; expected --gps-src DIR and sizes small, medium, large" >&2
       exit 2 ;;
  esac
done
[[ ${#SIZES[@]} -gt 0 ]] || { echo "side-by-side.sh: no size given; expected one or more of small, medium, large" >&2; exit 2; }
[[ -n "$SRC" && -f "$SRC/python/gps/utility/gmm.py" ]] || {
  echo "side-by-side.sh: --gps-src (or GPS_ORIGINAL) '${SRC}' is not a checkout of cbfinn/gps (no python/gps/utility/gmm.py)" >&2
  exit 2; }
"$PYTHON" -c 'import numpy, scipy' 2>/dev/null || {
  echo "side-by-side.sh: $PYTHON cannot import numpy and scipy; run jobs/install-bench-deps" >&2; exit 2; }

WORK="$(mktemp -d /tmp/gps-side-by-side.XXXXXX)"
[[ "${KEEP:-0}" == 1 ]] || trap 'rm -rf "$WORK"' EXIT

run() {  # LOG COMMAND...: runs it with its output in LOG, printed if it fails
  local log="$1"; shift
  if ! "$@" >"$log.out" 2>"$log.err"; then
    echo "side-by-side.sh: failed: $*" >&2; tail -n 30 "$log.err" >&2; exit 1
  fi
}

echo "Started $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; load:$(uptime | sed 's/.*load average://')"
if [[ "${GPS_NATIVE_BLAS:-0}" == 1 ]]; then blas="the native BLAS (GPS_NATIVE_BLAS=1)"; else blas="netlib's Java kernels"; fi
echo "Ours: --warmups $WARMUPS --repeats $REPEATS --em-init $EM_INIT (dynamics), one warm-up and --repeats $REPEATS (trajopt); $blas."
echo "Original: $ORIG_WARMUPS warm-up(s), $REPEATS repeats; $("$PYTHON" -c 'import numpy, scipy, sys; print("Python", sys.version.split()[0], "numpy", numpy.__version__, "scipy", scipy.__version__)'); OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset (one thread per core)}."
echo
for size in "${SIZES[@]}"; do
  mkdir -p "$WORK/$size"
  run "$WORK/$size/ours-dynamics" "$ROOT/jobs/gps" benchmark dynamics --sizes "$size" --warmups "$WARMUPS" \
      --repeats "$REPEATS" --em-init "$EM_INIT" --export "$WORK/$size"
  run "$WORK/$size/ours-trajopt" "$ROOT/jobs/gps" benchmark trajopt --sizes "$size" --repeats "$REPEATS" \
      --export "$WORK/$size"
  run "$WORK/$size/original" "$PYTHON" "$HERE/time_original.py" --gps-src "$SRC" \
      --problem "$WORK/$size/dynamics-$size" --problem "$WORK/$size/trajopt-$size" \
      --repeats "$REPEATS" --warmups "$ORIG_WARMUPS" --json "$WORK/$size/original.json"
  "$PYTHON" "$HERE/combine_tables.py" --ours-dynamics "$WORK/$size/ours-dynamics.out" \
      --ours-trajopt "$WORK/$size/ours-trajopt.out" --original "$WORK/$size/original.json"
  echo "Load after $size:$(uptime | sed 's/.*load average://')"
  echo
done
[[ "${KEEP:-0}" != 1 ]] || echo "Work directory kept: $WORK"
