"""Reading .pt files without running pickle code.

`torch.load` unpickles: a crafted colbert_linear.pt / sparse_linear.pt / pytorch_model.bin in a model folder
(or a trainer_state.pt in an output folder) would run arbitrary code on the worker host. Every .pt the trainer
reads goes through this module, and anything but tensors and plain values is refused before it runs.
"""
from __future__ import annotations

import os
import pickle

import torch

from .events import TrainerError


def _refused(path: str, error: Exception) -> TrainerError:
    first = (str(error).splitlines() or [""])[0][:200]
    return TrainerError(f"{os.path.basename(path)} was refused: it holds objects other than tensors and plain values "
                        f"(loading it would run code): {first}", "unsafe_file")


def load_pt(path: str):
    """Tensor files (heads, pytorch_model.bin): `weights_only=True` (torch ≥ 1.13), torch's own safe unpickler."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        raise _refused(path, e) from None


# Torch 1.13's weights-only unpickler reads tensors, ints, strings, bools, None, lists, tuples and dicts, but no
# float opcode, and optimizer/scheduler states hold Python floats (lr, betas, eps, ...). trainer_state.pt therefore
# stores each float as {"__float__": float64 scalar tensor} (exact), so it too is read with weights_only=True.
_FLOAT = "__float__"


def _encode(obj):
    if isinstance(obj, float):
        return {_FLOAT: torch.tensor(obj, dtype=torch.float64)}
    if isinstance(obj, dict):
        return {k: _encode(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_encode(v) for v in obj)
    return obj


def _decode(obj):
    if isinstance(obj, dict):
        if len(obj) == 1 and _FLOAT in obj and isinstance(obj[_FLOAT], torch.Tensor):
            return float(obj[_FLOAT].item())
        return {k: _decode(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_decode(v) for v in obj)
    return obj


def save_state(state: dict, path: str) -> None:
    """trainer_state.pt (optimizer, scheduler, grad scaler, counters, RNG states) in a form `load_state` reads."""
    torch.save(_encode(state), path)


def load_state(path: str) -> dict:
    """trainer_state.pt written by `save_state`, read with weights_only=True."""
    return _decode(load_pt(path))
