"""Shared fixtures: a tiny random XLM-R folder and toy tokenised data (no demo build needed)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch

from trainer.model import M3Model, XLMRConfig, save_model

GPU_WORKER = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = sys.executable

TINY = dict(vocab_size=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
            max_position_embeddings=66, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)


def make_model_dir(path: str, seed: int = 0, **over) -> str:
    torch.manual_seed(seed)
    m = M3Model(XLMRConfig(**{**TINY, **over}))
    os.makedirs(path, exist_ok=True)
    save_model(m, path)
    return path


def make_data(path: str, n: int = 24, vocab: int = 64, n_neg: int = 3, seed: int = 0, source: str = None) -> str:
    """Learnable toy task: a query shares its 'topic' tokens with its positive; negatives are other topics."""
    g = torch.Generator().manual_seed(seed)
    rows = []
    for i in range(n):
        topic = [4 + (i * 3 + k) % (vocab - 4) for k in range(3)]

        def seq(tp, L):
            filler = torch.randint(4, vocab, (L,), generator=g).tolist()
            return [0] + tp + filler + [2]
        negs = []
        for j in range(n_neg):
            other = [4 + ((i + 1 + j) * 3 * 5 + k) % (vocab - 4) for k in range(3)]
            negs.append(seq(other, int(torch.randint(2, 12, (1,), generator=g))))
        row = {"query": seq(topic, 2), "pos": [seq(topic, int(torch.randint(2, 12, (1,), generator=g)))], "neg": negs}
        if source:
            row["source"] = source
        rows.append(row)
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    return path


def base_config(tmp_path, **over) -> dict:
    model = make_model_dir(str(tmp_path / "base"))
    data = make_data(str(tmp_path / "train.jsonl"))
    cfg = {"model": model, "output_dir": str(tmp_path / "out"), "train_data": [data], "batch_size": 4,
           "train_group_size": 3, "max_steps": 6, "learning_rate": 1e-3, "warmup_ratio": 0.0, "temperature": 0.05,
           "device": "cpu", "seed": 7}
    cfg.update(over)
    return cfg


def run_cli(args, stdin: str = "", timeout: int = 120):
    return subprocess.run([PY, "-m", "trainer", *args], input=stdin, capture_output=True, text=True,
                          cwd=GPU_WORKER, timeout=timeout)


def events(stdout: str):
    return [json.loads(l) for l in stdout.splitlines() if l.strip()]


@pytest.fixture(autouse=True)
def _threads():
    torch.set_num_threads(1)


def pytest_configure(config):
    # torch 1.13 noise: scatter_reduce "beta" notice and ONNX tracer notes about constant head sizes
    config.addinivalue_line("filterwarnings", "ignore:scatter_reduce:UserWarning")
    config.addinivalue_line("filterwarnings", "ignore::torch.jit.TracerWarning")
    config.addinivalue_line("filterwarnings", "ignore:The shape inference of prim:UserWarning")
