#!/usr/bin/env bash
# scripts/bench/speed.sh: issue 13's table, proclab's fork against a minimal
# Go+cgo program and a minimal C program forking the same way (csys/floor.c),
# its tasks per second against stress-ng, and the spawn worker's start.
# Every row's figures are taken side by side, round by round, alternated.
# scripts/bench.sh runs it and puts its Markdown in docs/PERFORMANCE.md; it
# runs alone too (about 2 minutes):
#
#   scripts/bench/speed.sh [proclab-binary]    Markdown on stdout
#
# Knobs: SPEED_ROUNDS=5 alternations; SPEED_TASKS=10000 tasks per rate run;
# STRESS_T=5 seconds per stress-ng run.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PATH:/usr/local/go/bin"
bin=${1:-./bin/proclab}
ROUNDS=${SPEED_ROUNDS:-5}
TASKS=${SPEED_TASKS:-10000}
STRESS_T=${STRESS_T:-5}
ncpu=$(nproc)
say() { echo "speed: $*" >&2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -x "$bin" ] || go build -o "$bin" ./cmd/proclab
go build -o "$tmp/benchsum" ./scripts/benchsum
go build -o "$tmp/floorgo" ./scripts/bench/floorgo
cc=$(go env CC)
$cc -O2 -Icsys csys/floor.c csys/clock.c scripts/bench/floor_main.c -o "$tmp/floor_c"
bs() { "$tmp/benchsum" "$@"; }

# stress-ng: installed here if it is missing and apt-get can, else skipped.
stress=""
if ! command -v stress-ng >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	say "installing stress-ng"
	apt-get install -y stress-ng >/dev/null 2>&1 || true
fi
if command -v stress-ng >/dev/null; then
	stress=stress-ng
else
	say "skipped: stress-ng is not installed (apt-get install stress-ng)"
fi
stress_rate() { # workers -> a benchmark line of forks per second (real time)
	stress-ng --fork "$1" -t "$STRESS_T" --metrics-brief 2>&1 |
		awk -v w="$1" '$4 == "fork" && $9 + 0 > 0 { printf "BenchmarkStressNG/workers=%d 1 %s tasks/s\n", w, $9 }'
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$tmp/floors.txt"
: >"$tmp/stress.txt"
for i in $(seq "$ROUNDS"); do
	say "round $i of $ROUNDS"
	"$tmp/floor_c" 300 >>"$tmp/floors.txt"
	"$tmp/floorgo" 300 >>"$tmp/floors.txt"
	"$bin" --method fork --n-tasks 1 --n-iters 1 --repeat 100 --warmup 3 --sample-interval 0 --profile-hz 0 \
		--json >"$tmp/fork-$i.json" 2>/dev/null || true
	"$tmp/floorgo" rate "$TASKS" 1 >>"$tmp/floors.txt"
	"$tmp/floorgo" rate "$TASKS" "$ncpu" >>"$tmp/floors.txt"
	"$bin" rate --method fork --tasks "$TASKS" --max-procs 1 --json >"$tmp/rate1-$i.json" || true
	"$bin" rate --method fork --tasks "$TASKS" --json >"$tmp/rateN-$i.json" || true
	if [ -n "$stress" ]; then
		stress_rate 1 >>"$tmp/stress.txt"
		stress_rate "$ncpu" >>"$tmp/stress.txt"
	fi
	"$bin" calibrate --n 40 --warmup 3 --method spawn --json >"$tmp/cal-$i.json" 2>/dev/null || true
done
say "proclab rate, every method"
"$bin" rate --tasks 2000 >"$tmp/rate-all.txt" || true
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

med() { bs median -name "$1" -metric "$2" "$tmp/floors.txt"; }
us() { awk -v x="$1" 'BEGIN { printf "%.0f", x / 1000 }'; }
mib() { awk -v x="$1" 'BEGIN { printf "%.1f", x / 1048576 }'; }
read -r f_total f_startup f_anon f_vmas f_forked < <(bs fork "$tmp"/fork-*.json)
read -r r1 r1floor r1ratio < <(bs ratejson fork "$tmp"/rate1-*.json)
read -r rn rnfloor rnratio < <(bs ratejson fork "$tmp"/rateN-*.json)
ready=$(bs spawnready "$tmp"/cal-*.json || echo "?")
go_total=$(us "$(med "BenchmarkFloorMinimalGo/kind=fork" ns/op)")
go_anon=$(mib "$(med "BenchmarkFloorMinimalGo/kind=fork" anon-bytes)")
go_vmas=$(med "BenchmarkFloorMinimalGo/kind=fork" vmas)
c_total=$(us "$(med "BenchmarkFloorMinimalC/kind=fork" ns/op)")
go_r1=$(med "BenchmarkFloorMinimalGoRate/loops=1" tasks/s)
go_rn=$(med "BenchmarkFloorMinimalGoRate/loops=$ncpu" tasks/s)
if [ -n "$stress" ] && [ -s "$tmp/stress.txt" ]; then
	s1=$(bs median -name BenchmarkStressNG/workers=1 -metric tasks/s "$tmp/stress.txt")
	sn=$(bs median -name "BenchmarkStressNG/workers=$ncpu" -metric tasks/s "$tmp/stress.txt")
	stress_cells="\`stress-ng --fork 1\`: $(printf %.0f "$s1"); \`--fork $ncpu\`: $(printf %.0f "$sn")"
	vs_stress=$(awk -v a="$rn" -v b="$sn" 'BEGIN { printf "%.2fx", a / b }')
else
	stress_cells="stress-ng: skipped (not installed)"
	vs_stress="-"
fi

cat <<MD
Medians over $ROUNDS rounds, every row's programs alternated round by round;
load average $load_start at the start, $load_end at the end ($ncpu CPUs).

| figure | proclab | reference |
|---|---|---|
| fork total per task, parent 0 | $f_total µs (startup $f_startup µs) | minimal Go+cgo fork+_exit+wait $go_total µs; minimal C $c_total µs |
| lab's memory when it forks | $f_anon MiB anonymous, $f_forked MiB of it inherited by the child (\`--fork-lab-heap dontfork\`); $f_vmas mappings | minimal Go program $go_anon MiB (all inherited), $go_vmas mappings |
| near-empty fork tasks per second, 1 loop | $r1 (in-lab floor $r1floor, ${r1ratio}x) | minimal Go+cgo: $(printf %.0f "$go_r1") |
| near-empty fork tasks per second, $ncpu loops | $rn (in-lab floor $rnfloor, ${rnratio}x; ${vs_stress} stress-ng) | minimal Go+cgo: $(printf %.0f "$go_rn"); $stress_cells |
| spawn worker: image → Go program ready | $ready µs | |

Fork rows: \`proclab --method fork --n-tasks 1 --n-iters 1 --repeat 100 --sample-interval 0 --profile-hz 0\`
beside scripts/bench/floorgo (csys/floor.c's loop in a minimal Go+cgo
program) and scripts/bench/floor_main.c (the same loop in C), 300 forks each.
Rates: \`proclab rate --method fork --tasks $TASKS [--max-procs 1]\` beside
\`floorgo rate $TASKS LOOPS\` and \`stress-ng --fork W -t $STRESS_T --metrics-brief\`
(bogo ops/s, real time). Spawn: \`proclab calibrate --method spawn\`,
runtime_ready minus exec_done.

\`proclab rate --tasks 2000\` (every method against its floor):

\`\`\`
$(cat "$tmp/rate-all.txt")
\`\`\`
MD
