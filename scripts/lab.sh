#!/usr/bin/env bash
# The standard lab behind `make lab` (which builds bin/proclab first): on
# this machine, every start method side by side, the tutorial's compare
# grid, a sweep of the parent's memory sized to what is free (and fork's
# with the ballast in huge pages), and where
# the time of starting and ending a task goes (the start profile). Each part
# writes its results with --out into results/<timestamp>/<part>/; then
# `proclab report` writes results/<timestamp>/report.md. Sized to finish in
# a few minutes on a 2-core machine (the budget is 5; 5.6 minutes beside
# stress-ng --cpu 2 and a test suite).
#
# Environment knobs (the defaults are the standard lab):
#   LAB_METHODS        methods compared side by side        (every method but Python's)
#   LAB_PYTHON         run Python's multiprocessing part     (1 when python3 is found)
#   LAB_SWEEP_METHODS  methods of the parent-memory sweep   (fork,fork-exec,spawn,forkserver)
#   LAB_SWEEP_MAX_MIB  largest parent size in MiB           (min(8192, MemAvailable/3))
#
# Usage: scripts/lab.sh [--quick] [--help]   (make lab, or make lab LAB_ARGS=--quick)
#   --quick  the same parts, smaller (fewer rounds, shorter tasks, a smaller
#            sweep): about 30 seconds, to see the lab work, not to quote.
#
# Stopping it (Ctrl-C, kill, a closed terminal) stops the proclab it is
# running, which writes what it measured; the report is then written of
# the parts that have results, and lab.sh exits 130 (143 for SIGTERM).
set -euo pipefail
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }
quick=0
for arg in "$@"; do
	case $arg in
	-h | --help) usage; exit 0 ;;
	--quick) quick=1 ;;
	*) echo "lab.sh: unknown argument $arg (usage: scripts/lab.sh [--quick] [--help])" >&2; exit 2 ;;
	esac
done
cd "$(dirname "$0")/.."
bin=./bin/proclab
out="results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

t0=$SECONDS
step() { printf '\n== [%ss] %s\n' "$(( SECONDS - t0 ))" "$*" >&2; }

# q FULL QUICK: the standard lab's figure, or the quick one's.
q() { if (( quick )); then echo "$2"; else echo "$1"; fi; }

# Each proclab runs in the background and lab.sh waits for it, so that a
# signal to lab.sh runs its trap at once (bash runs traps only between
# commands) and the trap passes the stop on: SIGTERM, which proclab takes
# as "stop and write what was measured".
child=
run() {
	"$@" &
	child=$!
	local rc=0
	wait "$child" || rc=$?
	child=
	return "$rc"
}
stop() {
	trap - INT TERM HUP
	if [[ -n $child ]]; then
		kill -TERM "$child" 2>/dev/null || true
		wait "$child" 2>/dev/null || true
	fi
	echo "lab: stopped by SIG$1 after $(( SECONDS - t0 ))s; writing the report of what was measured" >&2
	"$bin" report --html "$out" >/dev/null 2>&1 || true
	echo "lab: what was measured is in $out" >&2
	exit "$2"
}
trap 'stop INT 130' INT
trap 'stop TERM 143' TERM
trap 'stop HUP 129' HUP

# Sample each child's memory often enough to draw it over a ~75 ms task,
# where this proclab has a live sampler.
sampling=()
if "$bin" --help 2>/dev/null | grep -q -- '--sample-interval'; then
	sampling=(--sample-interval 10ms)
fi

# 1. Every start method, interleaved round by round. One task per CPU (at
#    most 8): with more tasks than CPUs, a child's startup would include
#    waiting for a CPU that earlier children hold. Tasks are long enough
#    (~75 ms) for the live sampler to see each child several times, and the
#    hot loop is profiled in every child.
cpus=$(nproc)
step "start methods side by side"
run "$bin" --method "${LAB_METHODS:-fork,fork-exec,spawn,forkserver,exec,thread,single}" --n-tasks $(( cpus < 8 ? cpus : 8 )) --n-iters "$(q 50000000 20000000)" \
	--repeat "$(q 30 5)" --warmup "$(q 2 1)" --profile-hz 250 "${sampling[@]}" --out "$out/methods"

# 2. The tutorial's grid: one process against n_tasks processes and threads.
step "one process against several"
run "$bin" compare --n-iters "$(q 1000,10000,100000,1000000,10000000,100000000 1000,100000,10000000)" \
	--n-tasks "$(q 1,2,3,4 1,2)" --repeat "$(q 5 3)" --warmup 1 --out "$out/compare"

# 3. Startup against the parent's memory: sizes doubling from 16 MiB up to
#    a third of the memory available now (at most 8 GiB), so the lab never
#    pushes this machine into swapping or the OOM killer.
avail_mib=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
max_mib=${LAB_SWEEP_MAX_MIB:-$(( avail_mib / 3 < 8192 ? avail_mib / 3 : 8192 ))}
(( quick && max_mib > 256 )) && max_mib=256
sizes=""
for (( s = 16; s <= max_mib; s *= 2 )); do sizes+="${sizes:+,}${s}MiB"; done
if [[ -z $sizes ]]; then
	echo "lab: only ${avail_mib} MiB available; skipping the parent-memory sweep" >&2
else
	step "startup against the parent's memory (up to ${max_mib} MiB of ${avail_mib} MiB available)"
	run "$bin" --method "${LAB_SWEEP_METHODS:-fork,fork-exec,spawn,forkserver}" --n-tasks 2 \
		--n-iters 1000000 --repeat "$(q 5 2)" --warmup 1 --parent-rss "$sizes" --out "$out/parent-rss" >/dev/null
fi

# 3b. The same for fork with the ballast in transparent huge pages: fork
#     copies one page-table entry per 2 MiB instead of per 4 KiB, so its
#     growth with the parent should mostly go (report.md says by how much).
thp_mode=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || true)
if [[ -z $thp_mode || $thp_mode == *"[never]"* ]]; then
	echo "lab: transparent huge pages are off here (${thp_mode:-not built in}); skipping the huge-page sweep" >&2
elif [[ -n $sizes ]]; then
	thp_mib=$(( max_mib < 1024 ? max_mib : 1024 ))
	step "fork against the parent's memory in huge pages (64 MiB and ${thp_mib} MiB, --parent-thp)"
	run "$bin" --method fork --n-tasks 2 --n-iters 1000000 --repeat "$(q 5 2)" --warmup 1 \
		--parent-rss "64MiB,${thp_mib}MiB" --parent-thp --out "$out/parent-thp" >/dev/null
fi

# 4. Where the time goes: the process start methods at parent 0 and 1 GiB
#    (less where a third of the memory available is less) with the start
#    profile on: perf cpu-clock samples with kernel and user call chains,
#    cut into phases. Its timings carry the profile's cost; the timing runs
#    above stay without it. Where perf events are not allowed, proclab
#    says so in one line and this part is left out of the report.
big_mib=$(( max_mib < 1024 ? max_mib : 1024 ))
if (( big_mib > 0 )); then
	step "where the time goes (start profile, parent 0 and ${big_mib} MiB)"
	run "$bin" --method fork,fork-exec,spawn,forkserver,exec --n-tasks 2 --n-iters 1000000 --repeat "$(q 5 2)" --warmup 1 \
		--parent-rss "0,${big_mib}MiB" --start-profile "$out/start-profile.pb.gz" --out "$out/start-profile" >/dev/null
	if [[ -f $out/start-profile.pb.gz ]]; then
		rm "$out/start-profile.pb.gz" # --out wrote the same profile into the part's directory
	else
		rm -rf "$out/start-profile"
	fi
fi

# 5. Python's multiprocessing start methods beside the lab's own, in one run
#    (the same task in pure Python is ~100x slower per iteration, so the
#    tasks are shorter), and the tutorial's experiment 1 with Python
#    processes and Python threads.
if [[ ${LAB_PYTHON:-1} == 1 ]] && command -v python3 >/dev/null; then
	step "Python's multiprocessing beside the lab's methods"
	run "$bin" --method py-fork,py-spawn,py-forkserver,fork,spawn,forkserver --n-tasks $(( cpus < 8 ? cpus : 8 )) \
		--n-iters 200000 --repeat "$(q 10 3)" --warmup 1 "${sampling[@]}" --out "$out/python" >/dev/null
	step "one Python process against several (experiment 1 in Python)"
	run "$bin" compare --method py-fork --n-iters "$(q 1000,10000,100000,1000000 1000,100000)" --n-tasks "$(q 1,2,4 1,2)" \
		--repeat "$(q 3 2)" --warmup 1 --out "$out/compare-python" >/dev/null
else
	echo "lab: skipping Python's multiprocessing part (LAB_PYTHON=0, or no python3 on PATH)" >&2
fi

step "report"
run "$bin" report --html "$out" >/dev/null
echo "proclab: lab done in $(( SECONDS - t0 ))s; the report is $out/report.md (and, in one file, $out/report.html)"
