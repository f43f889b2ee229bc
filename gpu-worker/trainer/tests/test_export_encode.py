"""ONNX export parity and the encode protocol."""
import json
import os
import shutil

import numpy as np
import pytest
import torch

from trainer.export import export_folder, run_onnx, sample_inputs
from trainer.model import load_model

from .conftest import events, make_model_dir, run_cli

needs_ort = pytest.mark.skipif(
    shutil.which("node") is None or not os.path.isdir(os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                                                      "node_modules", "onnxruntime-node")),
    reason="needs node + onnxruntime-node (repo node_modules) for the ONNX run")


@needs_ort
def test_onnx_export_parity_fp32(tmp_path):
    d = make_model_dir(str(tmp_path / "m"), seed=5)
    res = export_folder(d, fp16=True)
    assert res["ok"] and res["parity"]["checked"]
    assert res["parity"]["max"] <= 1e-4
    assert res["fp16"]["parity"]["max"] <= 5e-2
    # dynamic axes: another batch / length than the export sample
    ids = np.array([[0, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 2]], dtype=np.int64)
    got = run_onnx(os.path.join(d, "onnx", "model.onnx"), {"input_ids": ids, "attention_mask": np.ones_like(ids)})
    with torch.no_grad():
        ref = load_model(d).eval()(torch.from_numpy(ids), torch.ones(1, 14, dtype=torch.long))
    assert got["colbert"].shape == (1, 13, 32)
    for k in ("dense", "sparse", "colbert"):
        assert np.abs(got[k] - ref[k].numpy()).max() <= 1e-4


def test_export_cli_missing_model(tmp_path):
    r = run_cli(["export", "--model", str(tmp_path / "nope")])
    assert r.returncode != 0 and events(r.stdout)[-1]["event"] == "error"


def test_encode_protocol(tmp_path):
    d = make_model_dir(str(tmp_path / "m"), seed=6)
    reqs = [{"id": "r1", "input_ids": [[0, 5, 6, 2], [0, 7, 2, 1]], "attention_mask": [[1, 1, 1, 1], [1, 1, 1, 0]]},
            {"id": "bad", "input_ids": [[0, 99999, 2]], "attention_mask": [[1, 1, 1]]},
            {"id": "r2", "input_ids": [[0, 8, 2]], "attention_mask": [[1, 1, 1]]}]
    r = run_cli(["encode", "--model", d], "\n".join(json.dumps(x) for x in reqs) + "\n")
    assert r.returncode == 0, r.stderr
    ev = events(r.stdout)
    assert ev[0] == {"event": "ready", "dim": 32, "max_length": 64}
    r1, bad, r2 = ev[1:]
    assert r1["id"] == "r1" and np.array(r1["dense"]).shape == (2, 32) and np.array(r1["sparse"]).shape == (2, 4)
    assert [len(c) for c in r1["colbert"]] == [3, 2]  # trimmed to each text's length - 1
    assert bad["id"] == "bad" and "out of range" in bad["error"]
    assert r2["id"] == "r2"
    ids, mask = torch.tensor(reqs[0]["input_ids"]), torch.tensor(reqs[0]["attention_mask"])
    with torch.no_grad():
        ref = load_model(d).eval()(ids, mask)
    assert np.allclose(r1["dense"], ref["dense"].numpy(), atol=1e-6)
    assert np.allclose(r1["colbert"][1], ref["colbert"][1, :2].numpy(), atol=1e-6)
