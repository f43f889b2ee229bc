"""ONNX external data (forced on the tiny model), the graph discarded on failed parity, and the probe entry."""
import copy
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from trainer.export import data_file, export_checked, export_folder, run_onnx, weight_bytes
from trainer.model import load_model

from .conftest import GPU_WORKER, events, make_model_dir, run_cli
from .test_export_encode import needs_ort

IDS = np.array([[0, 9, 10, 11, 12, 13, 2], [0, 20, 21, 2, 1, 1, 1]], dtype=np.int64)
MASK = (IDS != 1).astype(np.int64)


def reference(d):
    with torch.no_grad():
        return load_model(d).eval()(torch.from_numpy(IDS), torch.from_numpy(MASK))


def leftovers(folder):
    return [n for n in os.listdir(folder) if n.startswith(".tmp")]


@needs_ort
def test_forced_external_data_export_runs_and_matches_pytorch(tmp_path):
    d = make_model_dir(str(tmp_path / "m"), seed=11)
    res = export_folder(d, fp16=True, external_data=True)
    onnx_dir = os.path.join(d, "onnx")
    graph = os.path.join(onnx_dir, "model.onnx")
    assert res["ok"] and res["external_data"] and res["parity"]["max"] <= 1e-4
    # the weight matrices live in the data file (tensors under 1 KiB stay inline)
    assert os.path.getsize(data_file(graph)) > 0.6 * weight_bytes(load_model(d))
    assert res["fp16"]["ok"] and os.path.exists(data_file(os.path.join(onnx_dir, "model.fp16.onnx")))
    assert leftovers(onnx_dir) == []
    ref = reference(d)
    got = run_onnx(graph, {"input_ids": IDS, "attention_mask": MASK})
    for k in ("dense", "sparse", "colbert"):
        assert np.abs(got[k] - ref[k].numpy()).max() <= 1e-4
    # int8 is quantised from the external-data fp32 graph (onnx.load reads the data file beside it)
    r = subprocess.run([sys.executable, "inference/quantize/quantize_int8.py", d], cwd=GPU_WORKER, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    q = run_onnx(os.path.join(onnx_dir, "model.int8.onnx"), {"input_ids": IDS, "attention_mask": MASK})
    cos = (q["dense"] * ref["dense"].numpy()).sum(1)
    assert cos.min() >= 0.99


@needs_ort
def test_external_data_cli_flag(tmp_path):
    d = make_model_dir(str(tmp_path / "m"), seed=12)
    r = run_cli(["export", "--model", d, "--external-data"])
    assert r.returncode == 0, r.stderr
    assert events(r.stdout)[-1]["data_file"] == os.path.join(d, "onnx", "model.onnx.data")


@needs_ort
def test_failed_parity_leaves_no_graph(tmp_path):
    d = make_model_dir(str(tmp_path / "m"), seed=13)
    assert export_folder(d, external_data=True)["ok"]  # an older, good graph + data pair
    good = load_model(d)
    wrong = copy.deepcopy(good)
    with torch.no_grad():
        wrong.colbert_linear.weight.add_(0.05 * torch.randn_like(wrong.colbert_linear.weight))
    graph = os.path.join(d, "onnx", "model.onnx")
    res = export_checked(wrong, good, graph, lambda p: p["max"] <= 1e-4, external_data=True)
    assert not res["ok"] and res["parity"]["max"] > 1e-4
    assert not os.path.exists(graph) and not os.path.exists(data_file(graph))
    assert leftovers(os.path.dirname(graph)) == []


@needs_ort
def test_export_cli_exits_nonzero_and_keeps_nothing_when_parity_fails(tmp_path):
    """The CLI's own check (tolerance below what float32 rounding gives) fails, and the folder is left without a graph."""
    d = make_model_dir(str(tmp_path / "m"), seed=14)
    res = export_folder(d, tolerance=-1.0)
    assert not res["ok"] and "graph discarded" in res["reason"]
    assert not os.path.exists(os.path.join(d, "onnx", "model.onnx"))


def test_probe_entry_gives_pytorch_outputs(tmp_path):
    d = make_model_dir(str(tmp_path / "m"), seed=15)
    rows = [[0, 9, 10, 9, 3, 2], [0, 20, 2]]
    r = run_cli(["probe", "--model", d], json.dumps({"input_ids": rows, "special_ids": [0, 1, 2, 3]}))
    assert r.returncode == 0, r.stderr
    out = events(r.stdout)[-1]
    m = load_model(d).eval()
    with torch.no_grad():
        ref = m(torch.tensor([rows[0]]), torch.ones(1, 6, dtype=torch.long))
    assert np.allclose(out["dense"][0], ref["dense"][0].numpy(), atol=1e-6)
    assert np.array(out["colbert"][0]).shape == (5, 32) and np.array(out["colbert"][1]).shape == (2, 32)
    sp = out["sparse"][0]
    assert set(sp) <= {"9", "10"}  # specials (<s>, </s>, <unk>) dropped
    w = ref["sparse"][0].numpy()
    if "9" in sp:
        assert abs(sp["9"] - max(w[1], w[3])) < 1e-6  # max over the two occurrences of id 9


def test_probe_entry_bad_input(tmp_path):
    d = make_model_dir(str(tmp_path / "m"), seed=16)
    r = run_cli(["probe", "--model", d], "not json")
    assert r.returncode == 2 and events(r.stdout)[-1]["event"] == "error"
