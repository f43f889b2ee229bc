"""Atomic checkpoints: write into `.tmp-*` beside the target, then rename; keep the last K.

checkpoint-<step>/
  model/                 HF layout, LoRA merged (loadable by FlagEmbedding / transformers / our encode)
  adapter/               peft-style LoRA adapter (LoRA runs only)
  trainable.safetensors  every trainable parameter as trained (LoRA unmerged) -> exact resume
  trainer_state.pt       optimizer, scheduler, grad scaler, RNG states, data position, step
  train_config.json      the resolved config
"""
from __future__ import annotations

import glob
import json
import os
import re
import shutil
from typing import Callable, Optional


from . import safetensors_io
from .safe_load import load_state, save_state


def tmp_dir(parent: str, name: str) -> str:
    path = os.path.join(parent, f".tmp-{name}-{os.getpid()}")
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def commit(tmp: str, final: str) -> None:
    """Rename a finished temp folder into place (replacing an older folder of the same name)."""
    if os.path.exists(final):
        old = final + f".old-{os.getpid()}"
        os.rename(final, old)
        os.rename(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(tmp, final)


def clean_temp(output_dir: str) -> None:
    for p in glob.glob(os.path.join(output_dir, ".tmp-*")) + glob.glob(os.path.join(output_dir, "*.old-*")):
        shutil.rmtree(p, ignore_errors=True)


def list_checkpoints(output_dir: str):
    out = []
    for p in glob.glob(os.path.join(output_dir, "checkpoint-*")):
        m = re.fullmatch(r"checkpoint-(\d+)", os.path.basename(p))
        if m and os.path.isfile(os.path.join(p, "trainer_state.pt")):
            out.append((int(m.group(1)), p))
    return sorted(out)


def save(output_dir: str, step: int, write_model: Callable[[str], None], trainable: dict, state: dict,
         config: dict, keep_last: int) -> str:
    os.makedirs(output_dir, exist_ok=True)
    tmp = tmp_dir(output_dir, f"checkpoint-{step}")
    write_model(tmp)
    safetensors_io.save_file(trainable, os.path.join(tmp, "trainable.safetensors"))
    save_state(state, os.path.join(tmp, "trainer_state.pt"))
    with open(os.path.join(tmp, "train_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    final = os.path.join(output_dir, f"checkpoint-{step}")
    commit(tmp, final)
    for _, old in list_checkpoints(output_dir)[:-keep_last]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def load_latest(output_dir: str) -> Optional[dict]:
    cks = list_checkpoints(output_dir)
    if not cks:
        return None
    step, path = cks[-1]
    with open(os.path.join(path, "train_config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    return {"step": step, "path": path, "config": cfg,
            "trainable": safetensors_io.load_file(os.path.join(path, "trainable.safetensors")),
            "state": load_state(os.path.join(path, "trainer_state.pt"))}
