"""lifeline: a trainer gets SIGTERM (→ checkpoint, exit) when its worker dies, directly or behind a launcher."""
import os
import signal
import subprocess
import sys
import time

import pytest

from .conftest import GPU_WORKER, PY

# Stands in for the trainer: arms the lifeline, reports SIGTERM in a marker file (as train.Stop would stop the loop).
TRAINER = """
import os, signal, sys, time
from trainer import lifeline
marker = sys.argv[1]
def term(*_):
    with open(marker, "w") as f:
        f.write("SIGTERM")
    os._exit(143)
signal.signal(signal.SIGTERM, term)
lifeline.install(interval=float(sys.argv[2]))
print(os.getpid(), flush=True)
while True:
    time.sleep(0.05)
"""

# Stands in for the worker: starts the trainer (optionally behind a launcher that stays alive, like torchrun),
# with M3_WORKER_PID set to itself as gpu-worker/tasks/train.ts does, prints the pids and waits.
WORKER = """
import os, subprocess, sys, time
marker, interval, via = sys.argv[1], sys.argv[2], sys.argv[3]
env = {**os.environ, "M3_WORKER_PID": str(os.getpid())}
trainer = [sys.executable, "-c", sys.argv[4], marker, interval]
if via == "launcher":
    launcher = "import subprocess, sys, time\\np = subprocess.Popen(sys.argv[1:])\\nwhile True: time.sleep(0.05)"
    p = subprocess.Popen([sys.executable, "-c", launcher, *trainer], env=env, stdout=sys.stdout)
else:
    p = subprocess.Popen(trainer, env=env, stdout=sys.stdout)
print(p.pid, flush=True)
while True:
    time.sleep(0.05)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_gone(pid: int, timeout: float) -> float:
    t0 = time.time()
    while _alive(pid):
        if time.time() - t0 > timeout:
            raise AssertionError(f"pid {pid} still alive after {timeout} s")
        time.sleep(0.02)
    return time.time() - t0


def _start(tmp_path, via: str, interval: float):
    marker = tmp_path / "marker"
    worker = subprocess.Popen([PY, "-c", WORKER, str(marker), str(interval), via, TRAINER], cwd=GPU_WORKER,
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": GPU_WORKER})
    first = int(worker.stdout.readline())  # the trainer, or the launcher
    trainer = int(worker.stdout.readline()) if via == "launcher" else first
    return worker, marker, first, trainer


def _cleanup(*pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_parent_death_signal_reaches_the_trainer_at_once(tmp_path):
    # A watchdog interval of 60 s rules the thread out: only the kernel's parent-death signal can be this fast.
    worker, marker, _, trainer = _start(tmp_path, "direct", 60)
    try:
        worker.kill()  # SIGKILL: no handler, no cleanup in the worker
        worker.wait()
        assert _wait_gone(trainer, 5) < 2
        assert marker.read_text() == "SIGTERM"
    finally:
        _cleanup(trainer)


def test_watchdog_stops_a_trainer_behind_a_launcher_that_outlives_the_worker(tmp_path):
    worker, marker, launcher, trainer = _start(tmp_path, "launcher", 0.2)
    try:
        worker.kill()
        worker.wait()
        _wait_gone(trainer, 5)
        assert marker.read_text() == "SIGTERM"
        assert _alive(launcher)  # torchrun's place: still there, so only M3_WORKER_PID could tell
    finally:
        _cleanup(trainer, launcher)


def test_worker_already_gone_at_start(tmp_path):
    dead = subprocess.Popen([PY, "-c", "pass"])
    dead.wait()
    marker = tmp_path / "marker"
    trainer = subprocess.Popen([PY, "-c", TRAINER, str(marker), "0.2"], cwd=GPU_WORKER, stdout=subprocess.PIPE,
                               env={**os.environ, "PYTHONPATH": GPU_WORKER, "M3_WORKER_PID": str(dead.pid)})
    try:
        assert trainer.wait(timeout=5) == 143
        assert marker.read_text() == "SIGTERM"
    finally:
        _cleanup(trainer.pid)


def test_a_live_worker_keeps_the_trainer_running(tmp_path):
    worker, marker, launcher, trainer = _start(tmp_path, "launcher", 0.1)
    try:
        time.sleep(0.8)
        assert _alive(trainer) and not marker.exists()
    finally:
        worker.kill()
        worker.wait()
        _cleanup(trainer, launcher)
