"""DDP (two CPU processes, gloo, the env torchrun sets) and the out-of-memory back-off (simulated)."""
import json
import os
import socket
import subprocess

import pytest

import trainer.train as T
from trainer.config import parse_config

from .conftest import GPU_WORKER, PY, base_config, events


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("sub_batch", [0, 3])
def test_ddp_two_processes_gloo(tmp_path, sub_batch):
    cfg = base_config(tmp_path, max_steps=3, mode="unified", sub_batch_size=sub_batch)
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(cfg))
    env = {**os.environ, "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(_free_port()), "WORLD_SIZE": "2"}
    procs = [subprocess.Popen([PY, "-m", "trainer", "train", "--config", str(path)], cwd=GPU_WORKER,
                              env={**env, "RANK": str(r), "LOCAL_RANK": str(r)}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for r in (0, 1)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs[0][1][-2000:] + outs[1][1][-2000:]
    ev = events(outs[0][0])
    assert ev[0]["event"] == "start" and ev[0]["world_size"] == 2 and ev[-1]["event"] == "done"
    assert outs[1][0].strip() == ""  # only rank 0 reports and writes
    assert (tmp_path / "out" / "model" / "model.safetensors").is_file()


def test_oom_backoff_halves_the_micro_batch(tmp_path, monkeypatch, capsys):
    """A (simulated) CUDA OOM at the first step: same step retried with half the micro-batch, reported."""
    calls = {"n": 0}
    orig = T.Stepper.__call__

    def flaky(self, q_ids, *a, **k):
        calls["n"] += 1
        if q_ids.size(0) > 2:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return orig(self, q_ids, *a, **k)
    monkeypatch.setattr(T.Stepper, "__call__", flaky)
    monkeypatch.setattr(T, "can_back_off", lambda e, device, step, cfg: T._is_oom(e) and step < cfg.oom_backoff_steps)
    rc = T.run(parse_config(json.dumps(base_config(tmp_path, max_steps=2, batch_size=4))))
    assert rc == 0
    ev = events(capsys.readouterr().out)
    back = [e for e in ev if e["event"] == "oom_backoff"]
    assert back == [{"event": "oom_backoff", "step": 0, "micro_batch_size": 2, "accumulation": 2}]
    assert ev[-1]["event"] == "done"
