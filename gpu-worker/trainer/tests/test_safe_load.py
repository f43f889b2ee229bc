"""Issue #13 finding 9: .pt files are read without pickle code execution.

A crafted colbert_linear.pt / sparse_linear.pt / pytorch_model.bin / trainer_state.pt whose unpickling would
run code is refused with a clear error, and the code does not run; a real trainer_state.pt still loads.
"""
import json
import os

import pytest
import torch

from trainer import checkpoint as ckpt
from trainer.events import TrainerError
from trainer.model import M3Model, XLMRConfig

from .conftest import TINY, events, make_model_dir, run_cli


class _RunsCode:
    """Unpickling this calls exec(): it writes `marker`, the proof that code ran."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('ran')",))


def _craft(path: str, marker: str) -> None:
    torch.save({"weight": _RunsCode(marker), "bias": torch.zeros(1)}, path)


@pytest.mark.parametrize("name", ["colbert_linear.pt", "sparse_linear.pt", "pytorch_model.bin"])
def test_crafted_model_file_is_refused_without_running_code(tmp_path, name):
    folder = make_model_dir(str(tmp_path / "model"))
    if name == "pytorch_model.bin":
        os.remove(os.path.join(folder, "model.safetensors"))  # the .bin is read only without safetensors
    marker = str(tmp_path / "marker")
    _craft(os.path.join(folder, name), marker)
    r = run_cli(["export", "--model", folder])
    assert r.returncode != 0
    last = events(r.stdout)[-1]
    assert last["event"] == "error" and last["code"] == "unsafe_file", last
    assert name in last["reason"] and "refused" in last["reason"]
    assert not os.path.exists(marker), "unpickling ran code"
    assert not os.path.exists(os.path.join(folder, "onnx", "model.onnx"))


def _real_state() -> dict:
    """What train.py stores in trainer_state.pt: optimizer, scheduler, counters, RNG states."""
    model = M3Model(XLMRConfig(**TINY))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0 - s / 10)
    for p in model.parameters():
        p.grad = torch.ones_like(p)
    opt.step()
    sched.step()
    return {"optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "scaler": None, "step": 1, "epoch": 0,
            "batch": 1, "split": 1, "rng_ranks": [(torch.get_rng_state(), None)]}


def test_trainer_state_loads_and_a_crafted_one_is_refused(tmp_path):
    out = str(tmp_path / "out")
    state = _real_state()
    path = ckpt.save(out, 1, lambda tmp: None, {"w": torch.zeros(2)}, state, {"seed": 1}, keep_last=2)
    loaded = ckpt.load_latest(out)
    assert loaded["state"]["step"] == 1
    assert loaded["state"]["optimizer"]["param_groups"][0]["lr"] == state["optimizer"]["param_groups"][0]["lr"]
    assert torch.equal(loaded["state"]["rng_ranks"][0][0], state["rng_ranks"][0][0])

    marker = str(tmp_path / "marker")
    _craft(os.path.join(path, "trainer_state.pt"), marker)
    with pytest.raises(TrainerError, match="trainer_state.pt was refused"):
        ckpt.load_latest(out)
    assert not os.path.exists(marker), "unpickling ran code"
