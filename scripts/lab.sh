#!/usr/bin/env bash
# The standard lab behind `make lab` (which builds bin/proclab first): on
# this machine, every start method side by side, the tutorial's compare
# grid, a sweep of the parent's memory sized to what is free, and where
# the time of starting and ending a task goes (the start profile). Each part
# writes its results with --out into results/<timestamp>/<part>/; then
# `proclab report` writes results/<timestamp>/report.md. Sized to finish in
# about two minutes on a 2-core machine (the budget is 5).
#
# Environment knobs (the defaults are the standard lab):
#   LAB_METHODS        methods compared side by side        (every method but Python's)
#   LAB_PYTHON         run Python's multiprocessing part     (1 when python3 is found)
#   LAB_SWEEP_METHODS  methods of the parent-memory sweep   (fork,fork-exec,spawn,forkserver)
#   LAB_SWEEP_MAX_MIB  largest parent size in MiB           (min(8192, MemAvailable/3))
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./bin/proclab
out="results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

t0=$SECONDS
step() { printf '\n== [%ss] %s\n' "$(( SECONDS - t0 ))" "$*" >&2; }

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
"$bin" --method "${LAB_METHODS:-fork,fork-exec,spawn,forkserver,exec,thread,single}" --n-tasks $(( cpus < 8 ? cpus : 8 )) --n-iters 50000000 \
	--repeat 30 --warmup 2 --profile-hz 250 "${sampling[@]}" --out "$out/methods"

# 2. The tutorial's grid: one process against n_tasks processes and threads.
step "one process against several"
"$bin" compare --n-iters 1000,10000,100000,1000000,10000000,100000000 \
	--n-tasks 1,2,3,4 --repeat 5 --warmup 1 --out "$out/compare"

# 3. Startup against the parent's memory: sizes doubling from 16 MiB up to
#    a third of the memory available now (at most 8 GiB), so the lab never
#    pushes this machine into swapping or the OOM killer.
avail_mib=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
max_mib=${LAB_SWEEP_MAX_MIB:-$(( avail_mib / 3 < 8192 ? avail_mib / 3 : 8192 ))}
sizes=""
for (( s = 16; s <= max_mib; s *= 2 )); do sizes+="${sizes:+,}${s}MiB"; done
if [[ -z $sizes ]]; then
	echo "lab: only ${avail_mib} MiB available; skipping the parent-memory sweep" >&2
else
	step "startup against the parent's memory (up to ${max_mib} MiB of ${avail_mib} MiB available)"
	"$bin" --method "${LAB_SWEEP_METHODS:-fork,fork-exec,spawn,forkserver}" --n-tasks 2 \
		--n-iters 1000000 --repeat 5 --warmup 1 --parent-rss "$sizes" --out "$out/parent-rss" >/dev/null
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
	"$bin" --method fork,fork-exec,spawn,forkserver,exec --n-tasks 2 --n-iters 1000000 --repeat 5 --warmup 1 \
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
	"$bin" --method py-fork,py-spawn,py-forkserver,fork,spawn,forkserver --n-tasks $(( cpus < 8 ? cpus : 8 )) \
		--n-iters 200000 --repeat 10 --warmup 1 "${sampling[@]}" --out "$out/python" >/dev/null
	step "one Python process against several (experiment 1 in Python)"
	"$bin" compare --method py-fork --n-iters 1000,10000,100000,1000000 --n-tasks 1,2,4 \
		--repeat 3 --warmup 1 --out "$out/compare-python" >/dev/null
else
	echo "lab: python3 not found; skipping Python's multiprocessing part" >&2
fi

step "report"
"$bin" report --html "$out" >/dev/null
echo "proclab: lab done in $(( SECONDS - t0 ))s; the report is $out/report.md (and, in one file, $out/report.html)"
