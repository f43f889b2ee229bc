"""Die with the worker: a trainer whose worker is gone (kill -9, OOM killer, host agent) must not train on as an orphan.

Without this, a SIGKILLed worker leaves its trainer running: it holds the GPU, keeps writing the run folder, and the
re-claimed job's new trainer would race it. Two mechanisms, both ending in SIGTERM to this process, which the
trainer already handles (train.Stop: checkpoint at the next step boundary, exit 143; the next attempt resumes):

1. Linux `prctl(PR_SET_PDEATHSIG, SIGTERM)`: the kernel signals us the moment our parent exits. Immediate, but it
   only covers the DIRECT parent — under torchrun the parent is the torchrun agent, which outlives the worker.
2. A watchdog thread (every `interval` s): our parent pid changed (we were re-parented), or the process named by
   `M3_WORKER_PID` (the worker, set for every rank by gpu-worker/tasks/train.ts) is gone. That pid is identified
   with its start time, so a recycled pid does not keep us alive. This also covers non-Linux hosts.

Once the worker is gone stderr is a broken pipe: it is pointed at /dev/null so a log line cannot crash the
checkpoint that follows.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from typing import Callable, Optional

PR_SET_PDEATHSIG = 1


def _start_time(pid: int) -> Optional[str]:
    """Field 22 of /proc/<pid>/stat (start time after boot); None if the process is gone (or a zombie)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            text = f.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = text[text.rfind(")") + 1:].split()
    if len(fields) < 20 or fields[0] == "Z":
        return None
    return fields[19]


def _alive(pid: int, started: Optional[str]) -> bool:
    if os.path.isdir("/proc/self"):
        return started is not None and _start_time(pid) == started
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _set_pdeathsig(sig: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _silence_stderr() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass


def install(interval: float = 0.5, on_orphaned: Optional[Callable[[], None]] = None) -> threading.Thread:
    """Arm both mechanisms; returns the (daemon) watchdog thread. `on_orphaned` defaults to SIGTERM to ourselves."""
    def orphaned() -> None:
        _silence_stderr()
        if on_orphaned:
            on_orphaned()
        else:
            os.kill(os.getpid(), signal.SIGTERM)

    parent = os.getppid()
    watch_env = os.environ.get("M3_WORKER_PID", "")
    watch = int(watch_env) if watch_env.isdigit() else None
    watch_started = _start_time(watch) if watch is not None else None
    _set_pdeathsig(signal.SIGTERM)
    # The worker may have died before this ran: then PDEATHSIG never fires and getppid() already is the reaper.
    dead_at_start = watch is not None and not _alive(watch, watch_started) if watch_started is None else False

    def gone() -> bool:
        return dead_at_start or os.getppid() != parent or (watch is not None and not _alive(watch, watch_started))

    def loop() -> None:
        while not gone():
            time.sleep(interval)
        orphaned()

    t = threading.Thread(target=loop, name="lifeline", daemon=True)
    t.start()
    return t
