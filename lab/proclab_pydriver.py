"""proclab's Python driver: Python's own multiprocessing start methods,
measured with the lab's instruments.

The lab (lab/python.go) embeds this file, writes it into a private
directory and runs

    python3 -I -c 'import sys; sys.path.insert(0, DIR); import proclab_pydriver as d; d.main()' LAB_PID

with one end of an AF_UNIX SOCK_SEQPACKET socketpair on fd 3. Each packet
is one JSON object. The lab sends

    {"op": "start", "seq": N, "ctx": "fork"|"spawn"|"forkserver",
     "task": I, "n_iters": K}          with the task's result pipe (SCM_RIGHTS)
    {"op": "kill", "pid": P}           kill a task still running (SIGKILL)
    {"op": "inproc", "mode": "thread"|"single", "n_tasks": N, "n_iters": K}

and the driver answers

    {"op": "ready", ...}                                           once
    {"op": "started", "seq": N, "pid": P, "create_ns": T} or {..., "error": "..."}
    {"op": "exited", "pid": P, "status": S, "reaped_ns": T, rusage...}
    {"op": "inproc", "tasks": [...]}

A task starts exactly as in the tutorial: ctx = multiprocessing.get_context
(method); p = ctx.Process(target=..., args=...); p.start(). The driver
stamps CLOCK_MONOTONIC right before p.start(); the child stamps it as the
first statement of its target, runs the hot loop's algorithm in pure
Python, reads its own memory from /proc/self and writes the lab's binary
record (struct proclab_record in csys/csys.h) to its result pipe.

The module must stay importable by name (spawn and forkserver children
import it to find their target), and must not start anything on import.
"""

import json
import os
import signal
import socket
import sys
import time

# Record flags (csys/csys.h): the lab checks them against the method.
FLAG_EXECED = 0x1
FLAG_PYTHON = 0x4

MASK = (1 << 64) - 1
PR_SET_PDEATHSIG = 1

# Loaded when the module is imported (in a spawn or forkserver child, while
# multiprocessing unpickles the task, before its first statement), so that
# the prctl after the child's first stamp is one system call, not an import.
import ctypes  # noqa: E402

_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    """PR_SET_PDEATHSIG(SIGKILL): die when the creating process dies.

    It is not inherited across fork, so every child sets it itself."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _let_forkserver_go():
    """Close this child's copy of the write end of Python's forkserver
    "alive" pipe.

    The forkserver exits when that pipe reaches EOF, that is when the
    driver, which holds the write end, is gone (killed with the lab). But
    multiprocessing hands a copy to every child the forkserver makes (so
    that it could use the forkserver itself), and while a task ran, the
    forkserver never saw EOF: it and its children, which die only with it,
    outlived a lab killed by SIGKILL. A task never starts processes, so it
    lets its copy go; then the driver's death ends the forkserver, and the
    forkserver's ends the tasks (PR_SET_PDEATHSIG)."""
    fs = sys.modules.get("multiprocessing.forkserver")
    server = getattr(fs, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if fd is not None:
        server._forkserver_alive_fd = None
        try:
            os.close(fd)
        except OSError:
            pass


def hot_loop(n_iters):
    """csys/hotloop.c's xorshift64 chain in pure Python, masked to 64 bits:
    the same checksum as the C loop."""
    x = 0x9E3779B97F4A7C15
    acc = 0
    for i in range(n_iters):
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
        acc = (acc + (x ^ i)) & MASK
    return acc ^ x


def _kib_fields(path, names):
    out = {}
    try:
        with open(path, "rb") as f:
            for line in f:
                k, _, v = line.partition(b":")
                k = k.decode()
                if k in names:
                    out[k] = int(v.split()[0]) * 1024
    except OSError:
        pass
    return out


def own_memory():
    """RSS, PSS, USS and the high-water mark of this process, in bytes."""
    r = _kib_fields("/proc/self/smaps_rollup", {"Rss", "Pss", "Private_Clean", "Private_Dirty"})
    s = _kib_fields("/proc/self/status", {"VmHWM"})
    return {
        "end_rss_bytes": r.get("Rss", 0),
        "end_pss_bytes": r.get("Pss", 0),
        "end_uss_bytes": r.get("Private_Clean", 0) + r.get("Private_Dirty", 0),
        "hwm_bytes": s.get("VmHWM", 0),
    }


def _exited_already(pid):
    """Whether child pid has exited (or does within a second: the server's
    socket, which ends the task's join, closes before it is a zombie),
    without reaping it (multiprocessing reaps its forkserver itself)."""
    deadline = time.monotonic() + 1
    while True:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return True
        except ChildProcessError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)


def _clock():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def child_task(task, n_iters, conn, flags, parent):
    """The target of every Python child: stamp, loop, report."""
    task_start_ns = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    # Die with the process that created this one (the driver, or Python's
    # forkserver); if it is gone already, so is the lab's interest.
    _die_with_parent()
    if os.getppid() != parent:
        os._exit(1)
    _let_forkserver_go()
    cpu0 = time.thread_time_ns()
    checksum = hot_loop(n_iters)
    cpu1 = time.thread_time_ns()
    task_end_ns = _clock()
    rec = own_memory()
    rec["mem_read_ns"] = _clock()
    rec.update(task=task, flags=flags, pid=os.getpid(), ppid=os.getppid(),
               n_iters=n_iters, checksum=str(checksum), task_start_ns=task_start_ns,
               task_end_ns=task_end_ns, task_cpu_ns=cpu1 - cpu0)
    # One JSON object, then EOF when the child exits; the lab turns it into
    # its binary record (csys.AppendRecord), so no layout lives here.
    view = memoryview(json.dumps(rec).encode())
    fd = conn.fileno()
    while view:
        n = os.write(fd, view)
        view = view[n:]
    conn.close()


def _inproc_task(task, n_iters, out):
    create_ns = _clock()
    out[task] = {"task": task, "create_ns": create_ns}

    def run():
        start = _clock()
        cpu0 = time.thread_time_ns()
        checksum = hot_loop(n_iters)
        cpu1 = time.thread_time_ns()
        end = _clock()
        out[task].update(task_start_ns=start, task_end_ns=end, tid=_gettid(),
                         checksum=str(checksum), task_cpu_ns=cpu1 - cpu0, done_ns=end)

    return run


def _gettid():
    return getattr(threading_mod(), "get_native_id", lambda: 0)()


def threading_mod():
    import threading

    return threading


def run_inproc(mode, n_tasks, n_iters):
    """Python threads (the GIL lets one run at a time) or the tasks one
    after another in this process: the tutorial's single process."""
    threading = threading_mod()
    out = {}
    if mode == "single":
        for i in range(n_tasks):
            _inproc_task(i, n_iters, out)()
        return [out[i] for i in range(n_tasks)]
    threads = []
    for i in range(n_tasks):
        run = _inproc_task(i, n_iters, out)
        th = threading.Thread(target=run)
        th.start()
        threads.append((i, th))
    for i, th in threads:
        th.join()
    return [out[i] for i in range(n_tasks)]


class Driver:
    def __init__(self, sock):
        import multiprocessing
        import multiprocessing.connection
        import threading

        self.mp = multiprocessing
        self.threading = threading
        self.sock = sock
        self.procs = {}  # sentinel -> Process, reaped by serve (no reaper thread)
        self.by_pid = {}  # pid -> Process not yet reaped; under self.lock
        self.lock = threading.Lock()  # by_pid, and reaping against kill
        self.send_lock = threading.Lock()
        self.reapers = []
        # A reaper thread that sees its child exit must get the GIL back
        # soon, not after the default 5 ms: its stamp is the task's
        # reaped_ns. The in-process tasks run with the default.
        self.switch_default = sys.getswitchinterval()
        self.switch_reaping = min(self.switch_default, 0.001)
        sys.setswitchinterval(self.switch_reaping)

    def send(self, msg):
        data = json.dumps(msg).encode()
        with self.send_lock:
            self.sock.send(data)

    def ready(self, contexts):
        info = {"op": "ready", "pid": os.getpid(), "python": sys.version.split()[0],
                "executable": sys.executable}
        if "forkserver" in contexts:
            # Started once, here, so its one-time cost is not the first
            # task's: measured and reported apart, like the lab's own.
            from multiprocessing import forkserver

            t0 = _clock()
            forkserver.ensure_running()
            info["forkserver_startup_ns"] = _clock() - t0
            info["forkserver_pid"] = forkserver._forkserver._forkserver_pid
        info["ready_ns"] = _clock()
        self.send(info)

    def start(self, msg, fds):
        from multiprocessing.connection import Connection

        seq = msg["seq"]
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            self.send({"op": "started", "seq": seq, "error": "no result pipe attached"})
            return
        how = msg["ctx"]
        try:
            ctx = self.mp.get_context(how)
        except ValueError as e:
            os.close(fds[0])
            self.send({"op": "started", "seq": seq, "error": str(e)})
            return
        conn = Connection(fds[0], readable=False, writable=True)
        # No exec stamp: a Python child cannot tell when its image was
        # exec'd, so its flags say only that it is Python's.
        flags = FLAG_PYTHON
        parent = self.parent_of(how)
        p = ctx.Process(target=child_task, args=(msg["task"], msg["n_iters"], conn, flags, parent))
        p._proclab_parent = parent
        create_ns = _clock()
        try:
            p.start()
        except Exception as e:  # EAGAIN and friends: say why, go on serving
            conn.close()
            self.send({"op": "started", "seq": seq, "error": "%s: %s" % (type(e).__name__, e)})
            return
        conn.close()  # the child has its copy
        # multiprocessing reaps finished children itself at the next
        # start() (process._cleanup); the driver reaps its own with wait4,
        # for their rusage, so it takes them out of that set.
        self.mp.process._children.discard(p)
        with self.lock:
            self.by_pid[p.pid] = p
        # Each child gets a thread that waits for it, so its reaped_ns is
        # stamped when it exits, not when serve is next free (a spawn
        # start() holds serve for tens of ms). Its "exited" goes out only
        # after "started".
        sent = self.threading.Event()
        th = self.threading.Thread(target=self.reaper, args=(p, sent), daemon=True)
        try:
            th.start()
        except RuntimeError:  # no thread to be had: serve reaps it
            self.procs[p.sentinel] = p
        else:
            self.reapers.append(th)
        self.send({"op": "started", "seq": seq, "pid": p.pid, "create_ns": create_ns,
                   "ppid": parent})
        sent.set()

    def parent_of(self, how):
        if how == "forkserver":
            from multiprocessing import forkserver

            # A server that died (killed) is replaced by start(); its
            # successor is the parent to check for, not the old pid. Here,
            # before the create stamp: a new server's start is not the
            # task's.
            forkserver.ensure_running()
            return forkserver._forkserver._forkserver_pid or 0
        return os.getpid()

    def _exited(self, p, wait_exit):
        """Wait for p to exit, stamp reaped_ns, reap it: the "exited" message."""
        msg = {"op": "exited", "pid": p.pid}
        popen = p._popen
        if popen.__class__.__name__ == "Popen" and popen.__module__.endswith("popen_forkserver"):
            # The forkserver is the child's parent: it reaps it and sends
            # the exit code back; no rusage reaches the driver.
            p.join()
            msg["reaped_ns"] = _clock()
            with self.lock:
                self.by_pid.pop(p.pid, None)
            code = p.exitcode
            msg["status"] = (-code) if code < 0 else (code << 8)
            server = getattr(p, "_proclab_parent", 0)
            if code == 255 and server and _exited_already(server):
                # multiprocessing's 255 means "no status from the server":
                # the server is gone, and the task died with it.
                msg["error"] = ("Python's forkserver (pid %d) died while the task ran; "
                                "the task died with it (its end status is unknown)" % server)
            return msg
        # The driver is the parent. Wait without reaping, stamp, then reap
        # under the lock, so a kill never signals a pid already reused.
        wait_exit()
        msg["reaped_ns"] = _clock()
        with self.lock:
            self.by_pid.pop(p.pid, None)
            try:
                _, status, ru = os.wait4(p.pid, 0)
            except ChildProcessError:  # reaped already (by multiprocessing): no rusage
                status = None
        if status is None:
            code = p.exitcode
            msg["status"] = (-code) if code < 0 else (code << 8)
            return msg
        # Tell multiprocessing the outcome it would have read.
        popen.returncode = os.waitstatus_to_exitcode(status)
        msg["status"] = status
        msg.update(usage=True, user_ns=int(ru.ru_utime * 1e9), sys_ns=int(ru.ru_stime * 1e9),
                   maxrss_bytes=ru.ru_maxrss * 1024, minflt=ru.ru_minflt, majflt=ru.ru_majflt,
                   nvcsw=ru.ru_nvcsw, nivcsw=ru.ru_nivcsw)
        return msg

    def reaper(self, p, sent):
        def wait_exit():
            while True:
                try:
                    os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
                    return
                except InterruptedError:
                    continue
                except ChildProcessError:
                    return

        msg = self._exited(p, wait_exit)
        sent.wait()
        try:
            self.send(msg)
        except OSError:  # the lab has gone: nothing to tell
            pass

    def reap(self, sentinel):
        p = self.procs.pop(sentinel)
        self.send(self._exited(p, lambda: None))

    def kill(self, pid):
        with self.lock:
            if pid in self.by_pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def shutdown(self):
        with self.lock:
            for pid in list(self.by_pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        for s in list(self.procs):
            try:
                self.reap(s)
            except OSError:
                pass
        deadline = time.monotonic() + 5
        for th in self.reapers:
            th.join(max(0, deadline - time.monotonic()))
        # multiprocessing's helpers (its forkserver, the resource tracker
        # that spawn and forkserver start) end when the driver's end of
        # their pipe closes; stop and reap them here, so none is left to
        # be reparented when the driver exits.
        from multiprocessing import forkserver, resource_tracker

        for helper in (forkserver._forkserver, resource_tracker._resource_tracker):
            stop = getattr(helper, "_stop", None)
            if stop is not None:
                try:
                    stop()
                except (OSError, ChildProcessError):
                    pass

    def serve(self):
        from multiprocessing.connection import wait

        while True:
            for r in wait([self.sock] + list(self.procs)):
                if r is self.sock:
                    data, fds, _, _ = socket.recv_fds(self.sock, 1 << 16, 8)
                    if not data:  # the lab closed its end: done
                        for fd in fds:
                            os.close(fd)
                        self.shutdown()
                        return
                    msg = json.loads(data)
                    op = msg.get("op")
                    if op == "start":
                        self.start(msg, fds)
                    elif op == "kill":
                        self.kill(msg["pid"])
                    elif op == "inproc":
                        sys.setswitchinterval(self.switch_default)
                        try:
                            tasks = run_inproc(msg["mode"], msg["n_tasks"], msg["n_iters"])
                        finally:
                            sys.setswitchinterval(self.switch_reaping)
                        self.send({"op": "inproc", "pid": os.getpid(), "tasks": tasks})
                    else:
                        raise SystemExit("proclab python driver: unknown request %r" % op)
                else:
                    self.reap(r)


def main():
    # The lab kills and classifies its tasks on Ctrl-C; a terminal's SIGINT
    # must not turn into a KeyboardInterrupt trace here or in a child.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    lab = int(sys.argv[1])
    _die_with_parent()
    if os.getppid() != lab:
        raise SystemExit(1)
    sock = socket.socket(fileno=3)
    contexts = sys.argv[2].split(",") if len(sys.argv) > 2 and sys.argv[2] else []
    d = Driver(sock)
    d.ready(contexts)
    d.serve()
