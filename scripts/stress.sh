#!/usr/bin/env bash
# stress.sh, behind `make stress` (not CI): proclab under the conditions
# that leave zombies and orphans when anything is wrong. Each step is
# followed by a scan of /proc for processes of the lab's binary; the scan
# must find none, and it prints what it found.
#
#   1. the lab's own peak memory at 100, 1,000 and 10,000 fork tasks in
#      waves (--max-procs), side by side: it must stay flat
#   2. 10,000 fork tasks in waves, checking on the way that no more than
#      --max-procs children are alive at once
#   3. repeated interrupts (SIGINT, SIGTERM, and Ctrl-C as a terminal sends
#      it, to the whole process group) at random moments
#   4. the lab killed with SIGKILL: its children must die with it
#   5. a killed forkserver (skipped, with a note, until it is built)
#   6. a stopped (SIGSTOP) forkserver, with --timeout, then Ctrl-C, and
#      with --timeout alone: the lab must give up on the server, kill and
#      reap it, and write what it measured (issue 11, item 1)
#   7. Ctrl-C while the lab fills a large --parent-rss ballast: out within
#      seconds, not after the whole fill (issue 11, item 3)
#   8. GNU timeout (SIGTERM to the lab, then to its group): results written
#      every time, no temporary file left (issue 22, items 2 and 6)
#   9. the lab killed with SIGKILL under py-forkserver: no Python process
#      outlives it, nothing left in TMPDIR but the driver's own directory
#      (issue 22, item 1)
#
# STRESS_STEPS="8 9" runs only the steps it lists.
#
# The binary is copied under a name no other process has, so the scan
# finds exactly the lab, its fork children (same image) and its workers
# (the image exec'd again), and nothing of anyone else's.
set -uo pipefail
cd "$(dirname "$0")/.."

src=${PROCLAB:-bin/proclab}
work=$(mktemp -d /tmp/proclab-stress.XXXXXX)
name="plstress$$" # a comm of at most 15 characters
lab="$work/$name"
cp "$src" "$lab"
trap 'rm -rf "$work"' EXIT
fails=0
# want says whether step $1 runs: all of them, or those STRESS_STEPS
# lists (STRESS_STEPS="8 9" ./scripts/stress.sh).
want() { [ -z "${STRESS_STEPS:-}" ] || [[ " $STRESS_STEPS " == *" $1 "* ]]; }

say() { printf '%s\n' "$*"; }
fail() {
	say "  FAIL: $*"
	fails=$((fails + 1))
}

# ours prints "pid state ppid" for every process running our binary.
ours() {
	local d
	for d in /proc/[0-9]*; do
		[ "$(cat "$d/comm" 2>/dev/null)" = "$name" ] || continue
		# stat: pid (comm) state ppid ...; our comm has no spaces
		awk '{print $1, $3, $4}' "$d/stat" 2>/dev/null
	done
}

# scan looks for zombies and orphans of our binary once the lab has
# exited. An orphan is any such process still alive; a zombie one nobody
# reaped. Processes re-parented to init are reaped by it lazily (about a
# second here), so the scan looks again for up to 15 s and reports both
# the first look and the last.
scan() {
	local step=$1 first="" z o list deadline=$((SECONDS + 15))
	while :; do
		list=$(ours)
		z=$(awk '$2 == "Z"' <<<"$list" | grep -c . || true)
		o=$(awk '$2 != "Z"' <<<"$list" | grep -c . || true)
		[ -z "$first" ] && first="$z zombies, $o orphans"
		if [ "$z$o" = "00" ] || [ $SECONDS -ge $deadline ]; then
			break
		fi
		sleep 0.2
	done
	say "  scan after $step: first look $first; after settling $z zombies, $o orphans"
	if [ "$z$o" != "00" ]; then
		fail "left behind (pid state ppid):"
		sed 's/^/    /' <<<"$list"
		awk '$2 != "Z" {print $1}' <<<"$list" | xargs -r kill -KILL 2>/dev/null
	fi
}

# json_field prints the numeric value of the first "field": in a JSON file.
json_field() { grep -m1 "\"$1\":" "$2" | tr -dc '0-9'; }

# children counts the children of pid: the processes whose parent it is,
# from one listing of /proc. (Summing /proc/PID/task/*/children reads one
# thread's list after another, so a child reaped after its thread's list
# was read and its successor, made by a thread read later, both count: it
# saw up to 28 with --max-procs 20.)
children() { awk -v p="$1" '$4 == p' /proc/[0-9]*/stat 2>/dev/null | wc -l; }

# interactive runs a command with SIGINT and SIGQUIT at their defaults, as
# from a terminal: a script's background job inherits them ignored, and
# the lab keeps a signal ignored at its start ignored (nohup's contract).
# Called as the command of a background job (`interactive cmd... &`): the
# job is already a subshell, which resets the two and becomes cmd, so $!
# is cmd's pid.
interactive() {
	trap - INT QUIT
	exec "$@"
}

# descendants counts every process below pid (a forkserver's tasks are
# its children, not the lab's).
descendants() {
	local n=0 c
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		n=$((n + 1 + $(descendants "$c")))
	done
	echo $n
}

# run_bounded runs the lab in the background with a hard time limit;
# sets $pid.
run_bounded() {
	local out=$1
	shift
	timeout -s KILL 600 "$lab" "$@" >"$out" 2>"$out.err" &
	pid=$!
	# $! is timeout's pid; the lab is its child.
	local i
	for i in $(seq 200); do
		lpid=$(cat /proc/$pid/task/*/children 2>/dev/null | awk '{print $1}')
		[ -n "$lpid" ] && break
		sleep 0.01
	done
}

say "proclab stress: $(uname -r), $(nproc) CPUs, binary $src as $name"

# ---- 1. the lab's own memory as the number of tasks grows ----
if want 1; then
# The lab keeps each task's results (about 0.9 KiB a task, lab.Task and
# its strings) and nothing else per task: 9,900 more tasks keep ~8.7 MiB,
# which the Go heap may double before a GC (GOGC=100): ~17.4 MiB. So the
# peak at 10,000 tasks may pass the peak at 100 by at most flatSlackMiB
# (24: the 17.4 above plus room for the runtime's own growth); a leak of
# a pipe buffer or a profile per task (4 KiB and more) passes it by far.
# Measured on a busy 2-CPU VM: 12.1 MiB at 100 tasks, 22.1 at 10,000.
flatSlackMiB=24
say "1. lab peak RSS (VmHWM), fork tasks with --max-procs 100, n_iters 100000"
for round in 1 2; do
	line="   round $round:"
	declare -A peakOf=()
	for n in 100 1000 10000; do
		"$lab" --method fork --n-tasks $n --max-procs 100 --n-iters 100000 --repeat 1 --json >"$work/mem.json" 2>"$work/mem.err"
		st=$?
		rss=$(json_field lab_peak_rss_bytes "$work/mem.json")
		[ $st -eq 0 ] || fail "n_tasks $n: exit status $st: $(cat "$work/mem.err")"
		[ "${rss:-0}" -gt 0 ] || fail "n_tasks $n: no lab_peak_rss_bytes in the results"
		peakOf[$n]=${rss:-0}
		line="$line  $n tasks: $(awk -v b="${rss:-0}" 'BEGIN{printf "%.1f MiB", b/1048576}')"
	done
	say "$line"
	if [ "${peakOf[10000]}" -gt $((peakOf[100] + flatSlackMiB * 1048576)) ]; then
		fail "round $round: peak RSS at 10,000 tasks is more than $flatSlackMiB MiB above the peak at 100 tasks: not flat"
	fi
done
scan "memory runs"

fi

# ---- 2. 10,000 fork tasks in waves ----
if want 2; then
say "2. 10,000 fork tasks, --max-procs 20"
run_bounded "$work/waves.json" --method fork --n-tasks 10000 --max-procs 20 --n-iters 3000000 --repeat 1 --json
peak=0
while kill -0 "$pid" 2>/dev/null; do
	c=$(children "$lpid")
	[ "$c" -gt "$peak" ] && peak=$c
	sleep 0.05
done
wait "$pid"
st=$?
ok=$(grep -c '"checksum_ok": true' "$work/waves.json")
errs=$(grep -c '"error":' "$work/waves.json")
say "  exit status $st; $ok tasks ok, $errs with an error; at most $peak children seen alive at once"
[ $st -eq 0 ] || fail "exit status $st: $(cat "$work/waves.json.err")"
[ "$ok" -eq 10000 ] || fail "$ok of 10000 tasks ok"
[ "$peak" -le 20 ] || fail "$peak children alive at once, above --max-procs 20"
scan "10,000 tasks"

fi

# ---- 3. repeated interrupts ----
if want 3; then
say "3. interrupts at random moments (fork,spawn,exec, 60 tasks per run, --max-procs 20)"
for i in $(seq 12); do
	case $((i % 3)) in
	0) sig=INT want=130 how="SIGINT" ;;
	1) sig=TERM want=143 how="SIGTERM" ;;
	2) sig=INT want=130 how="SIGINT to the process group" ;;
	esac
	out="$work/int$i.json"
	if [ $((i % 3)) -eq 2 ]; then
		interactive setsid "$lab" --method fork,spawn,exec --n-tasks 60 --max-procs 20 --n-iters 30000000 --repeat 50 --json >"$out" 2>"$out.err" &
		pid=$!
		target="-$pid"
	else
		interactive "$lab" --method fork,spawn,exec --n-tasks 60 --max-procs 20 --n-iters 30000000 --repeat 50 --json >"$out" 2>"$out.err" &
		pid=$!
		target=$pid
	fi
	(sleep 120 && kill -KILL $pid 2>/dev/null) &
	watchdog=$!
	sleep "0.$((RANDOM % 9 + 1))$((RANDOM % 10))"
	kids=$(descendants $pid)
	kill -s $sig -- "$target"
	wait $pid
	st=$?
	kill $watchdog 2>/dev/null
	incomplete=$(grep -c '"incomplete": true' "$out")
	say "  $i: $how with $kids descendants alive: exit status $st (want $want), incomplete=$incomplete; stderr: $(head -c 200 "$out.err")"
	[ $st -eq $want ] || fail "exit status $st, want $want"
	[ "$incomplete" -eq 1 ] || fail "results not written marked incomplete"
	scan "interrupt $i"
done

fi

# ---- 4. the lab killed with SIGKILL ----
if want 4; then
say "4. the lab killed with SIGKILL mid-run (its children must die too)"
for m in fork spawn fork-exec exec forkserver; do
	"$lab" --method $m --n-tasks 20 --n-iters 500000000000 --repeat 1 >"$work/kill.out" 2>"$work/kill.err" &
	pid=$!
	for i in $(seq 300); do
		[ "$(descendants $pid)" -ge 20 ] && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.02
	done
	if grep -q "not built yet" "$work/kill.err" 2>/dev/null; then
		wait $pid
		say "  $m: skipped: $(cat "$work/kill.err")"
		continue
	fi
	kids=$(descendants $pid)
	kill -KILL $pid
	wait $pid 2>/dev/null
	say "  $m: killed the lab with $kids descendants alive"
	scan "SIGKILL of the lab ($m)"
done

fi

# ---- 5. a killed forkserver ----
if want 5; then
say "5. the forkserver killed mid-run"
run_bounded "$work/fs.json" --method forkserver --n-tasks 40 --max-procs 10 --n-iters 100000000 --repeat 3 --json
sleep 0.5
if grep -q "not built yet" "$work/fs.json.err" 2>/dev/null; then
	wait "$pid"
	say "  skipped: $(cat "$work/fs.json.err") (re-run make stress once the forkserver is merged)"
else
	# The forkserver is the lab's only child; the tasks are the server's.
	server=$(cat /proc/"$lpid"/task/*/children 2>/dev/null | awk '{print $1}')
	if [ -z "$server" ]; then
		fail "no forkserver found under the lab $lpid"
	else
		kill -KILL "$server"
		say "  killed forkserver $server"
	fi
	wait "$pid"
	st=$?
	say "  exit status $st; stderr: $(head -c 300 "$work/fs.json.err")"
	[ $st -eq 137 ] && fail "the lab did not finish within 600 s after its forkserver died"
	scan "killed forkserver"
fi

fi

# ---- 6. a stopped forkserver ----
if want 6; then
# fs_server prints the lab's forkserver pid (its child running
# __proclab_forkserver), if there is one yet.
fs_server() {
	local c
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		if tr '\0' ' ' <"/proc/$c/cmdline" 2>/dev/null | grep -q ' __proclab_forkserver '; then
			echo "$c"
			return
		fi
	done
}

say "6. a stopped forkserver (SIGSTOP), --n-tasks 2 --n-iters 3000000000 --timeout 2s"
for how in interrupt timeout; do
	out="$work/stopped-$how.json"
	# Its own process group, as a terminal's foreground job: Ctrl-C is a
	# SIGINT to the whole group (the lab, the server and the tasks).
	interactive setsid "$lab" --method forkserver --n-tasks 2 --n-iters 3000000000 --timeout 2s --repeat 2 --json >"$out" 2>"$out.err" &
	pid=$!
	(sleep 120 && kill -KILL $pid 2>/dev/null) &
	watchdog=$!
	server=""
	for i in $(seq 500); do
		server=$(fs_server "$pid")
		[ -n "$server" ] && [ "$(descendants "$server")" -ge 2 ] && break
		sleep 0.01
	done
	if [ -z "$server" ]; then
		fail "$how: no forkserver with 2 tasks found"
		kill -KILL $pid 2>/dev/null
		wait $pid
		kill $watchdog 2>/dev/null
		continue
	fi
	kill -STOP "$server"
	until [ "$(awk '{print $3}' /proc/"$server"/stat 2>/dev/null)" != S ] &&
		[ "$(awk '{print $3}' /proc/"$server"/stat 2>/dev/null)" != R ]; do
		sleep 0.01
	done
	t0=$SECONDS
	[ $how = interrupt ] && kill -INT -- "-$pid" 2>/dev/null
	wait $pid
	st=$?
	kill $watchdog 2>/dev/null
	incomplete=$(grep -c '"incomplete": true' "$out")
	gaveup=$(grep -c 'gave up on the server' "$out")
	say "  $how: exit status $st after $((SECONDS - t0)) s; incomplete=$incomplete; $gaveup tasks say the lab gave up on the server; stderr: $(head -c 200 "$out.err")"
	[ $st -eq 137 ] && fail "$how: the lab was still running after 120 s (killed)"
	if [ $how = interrupt ]; then
		[ $st -eq 130 ] || fail "interrupt: exit status $st, want 130"
		[ "$incomplete" -eq 1 ] || fail "interrupt: results not written marked incomplete"
	fi
	[ "$gaveup" -ge 1 ] || fail "$how: no task says the lab gave up on the server"
	scan "stopped forkserver ($how)"
done

fi

# ---- 7. Ctrl-C while filling a large ballast ----
if want 7; then
avail=$(awk '/^MemAvailable:/ {printf "%d", $2 * 1024}' /proc/meminfo)
size=$((avail / 3))
[ $size -gt $((16 << 30)) ] && size=$((16 << 30))
say "7. Ctrl-C 0.5 s into filling a --parent-rss of $((size >> 20)) MiB"
interactive setsid "$lab" --method fork --n-tasks 1 --n-iters 1000 --parent-rss $size --json >"$work/fill.json" 2>"$work/fill.json.err" &
pid=$!
(sleep 300 && kill -KILL $pid 2>/dev/null) &
watchdog=$!
sleep 0.5
t0=$(date +%s.%N)
kill -INT -- "-$pid" 2>/dev/null
wait $pid
st=$?
kill $watchdog 2>/dev/null
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b - a}')
say "  exit status $st, $secs s after Ctrl-C; stderr: $(head -c 200 "$work/fill.json.err")"
[ $st -eq 130 ] || fail "exit status $st, want 130"
awk -v s="$secs" 'BEGIN{exit !(s > 3)}' && fail "$secs s from Ctrl-C to exit, want a few at most"
scan "Ctrl-C while filling"

fi

# ---- 8. GNU timeout (issue 22, items 2 and 6) ----
if want 8; then
say "8. GNU timeout: SIGTERM to the lab, then to its process group, 5 runs each of thread and fork"
for method in thread fork; do
	written=0
	for i in 1 2 3 4 5; do
		out="$work/timeout-$method-$i"
		timeout 2 "$lab" --method "$method" --n-tasks 2 --n-iters 100000000000 --out "$out" >/dev/null 2>"$out.err"
		st=$?
		[ -s "$out/results.json" ] && written=$((written + 1))
		[ $st -eq 124 ] || fail "timeout $method run $i: exit status $st, want 124"
		grep -q "again" "$out.err" && fail "timeout $method run $i: took the group's SIGTERM for a second request: $(head -c 200 "$out.err")"
		ls -A "$out" 2>/dev/null | grep -q 'tmp-' && fail "timeout $method run $i: temporary files left in --out"
	done
	say "  $method: results written in $written of 5 runs"
	[ $written -eq 5 ] || fail "timeout $method: results lost in $((5 - written)) of 5 runs"
	scan "timeout ($method)"
done
fi

# ---- 9. the lab killed with SIGKILL under py-forkserver (issue 22, item 1) ----
if want 9 && command -v python3 >/dev/null; then
say "9. the lab killed with SIGKILL while Python's forkserver runs its tasks"
pytmp="$work/pytmp"
mkdir -p "$pytmp"
# pythons lists the Python processes of this lab: the lab gives its
# driver TMPDIR=its directory under $pytmp, which they all inherit.
pythons() {
	grep -ls "TMPDIR=$pytmp/" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3
}
for i in 1 2 3; do
	TMPDIR="$pytmp" "$lab" --method py-forkserver --n-tasks 2 --n-iters 100000000000 >/dev/null 2>&1 &
	pid=$!
	for j in $(seq 200); do
		[ "$(pythons | wc -l)" -ge 5 ] && break # the driver, its resource tracker and forkserver, 2 tasks
		sleep 0.05
	done
	kill -KILL $pid
	wait $pid 2>/dev/null
	left=""
	for j in $(seq 100); do
		left=$(pythons)
		[ -z "$left" ] && break
		sleep 0.1
	done
	say "  try $i: $(wc -w <<<"$left") Python processes left after the lab's SIGKILL (waiting up to 10 s)"
	if [ -n "$left" ]; then
		fail "try $i: Python processes outlived the lab: $left"
		kill -KILL $left 2>/dev/null
	fi
	scan "SIGKILL under py-forkserver ($i)"
done
rm -rf "$pytmp"/proclab-py-* # the driver's directory: a SIGKILL leaves no one to remove it
left=$(ls -A "$pytmp")
[ -z "$left" ] || fail "left in TMPDIR: $left"
fi

if [ $fails -eq 0 ]; then
	say "stress: all clean"
else
	say "stress: $fails failure(s)"
	exit 1
fi
