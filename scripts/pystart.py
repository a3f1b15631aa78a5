"""A plain Python script timing what proclab's py-* rows time: the create
call (Process.start()) to the child's first statement, per multiprocessing
start method, with no proclab around it. scripts/bench.sh runs it beside
`proclab --method py-fork,py-spawn,py-forkserver` to show how far the lab's
Python figures sit from Python timing itself.

    python3 scripts/pystart.py [N]     # N starts per method (default 30)

Prints one line per method: median, p10 and p90 in microseconds.
"""

import multiprocessing as mp
import statistics
import sys
import time


def target(conn):
    t = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    conn.send(t)
    conn.close()


def measure(method, n):
    ctx = mp.get_context(method)
    if method == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()  # its one-time start is not a task's
    out = []
    for _ in range(n):
        r, w = ctx.Pipe(duplex=False)
        p = ctx.Process(target=target, args=(w,))
        t0 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        p.start()
        w.close()
        t1 = r.recv()
        p.join()
        out.append((t1 - t0) / 1e3)
    return out


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    for method in ("fork", "forkserver", "spawn"):
        xs = sorted(measure(method, n))
        q = statistics.quantiles(xs, n=10)
        print("py-%-11s median %8.0f us  p10 %8.0f  p90 %8.0f  (n=%d)" % (method, statistics.median(xs), q[0], q[-1], n))


if __name__ == "__main__":
    main()
