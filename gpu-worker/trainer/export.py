"""`python3 -m trainer export --model DIR [--fp16]`: ONNX (opset 17) with a parity check against PyTorch.

Graph: input_ids, attention_mask int64 [batch, seq] -> dense [batch, hidden], sparse [batch, seq],
colbert [batch, seq-1, hidden] (docs/CONTRACTS.md). Written to a temp file and renamed (atomic). The parity check
runs the ONNX file with onnxruntime (Python if installed, else onnxruntime-node through `ort_parity.cjs`).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from typing import Dict, Optional

import numpy as np
import torch

from .model import M3Model, load_model

OUTPUTS = ["dense", "sparse", "colbert"]


class OnnxWrapper(torch.nn.Module):
    def __init__(self, m: M3Model):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        o = self.m(input_ids, attention_mask)
        return o["dense"], o["sparse"], o["colbert"]


def sample_inputs(vocab: int, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(4, vocab, (3, 11), generator=g)
    ids[:, 0] = 0
    lens = [11, 7, 3]
    mask = torch.zeros(3, 11, dtype=torch.long)
    for i, L in enumerate(lens):
        ids[i, L - 1] = 2
        ids[i, L:] = 1
        mask[i, :L] = 1
    return ids, mask


def export_onnx(model: M3Model, path: str, fp16: bool = False) -> None:
    model = model.eval().float()
    ids, mask = sample_inputs(model.config.vocab_size)
    tmp = f"{path}.tmp-{os.getpid()}"
    import inspect
    extra = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    with torch.no_grad():
        torch.onnx.export(OnnxWrapper(model), (ids, mask), tmp, opset_version=17, **extra,
                          input_names=["input_ids", "attention_mask"], output_names=OUTPUTS,
                          dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                                        "dense": {0: "batch"}, "sparse": {0: "batch", 1: "seq"},
                                        "colbert": {0: "batch", 1: "seq_minus_1"}}, do_constant_folding=True)
    if fp16:
        _to_fp16(tmp)
    os.replace(tmp, path)


def _to_fp16(path: str) -> None:
    """Cast float32 initializers to fp16 with Cast nodes back to fp32 (keeps fp32 I/O; halves the file)."""
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    m = onnx.load(path)
    g = m.graph
    new_inits, casts = [], []
    for init in g.initializer:
        if init.data_type == TensorProto.FLOAT and len(init.dims) >= 2:
            arr = numpy_helper.to_array(init).astype(np.float16)
            h = numpy_helper.from_array(arr, init.name + "_fp16")
            new_inits.append(h)
            casts.append(helper.make_node("Cast", [h.name], [init.name], to=TensorProto.FLOAT))
        else:
            new_inits.append(init)
    del g.initializer[:]
    g.initializer.extend(new_inits)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(casts + nodes)
    onnx.save(m, path)


def run_onnx(path: str, feeds: Dict[str, np.ndarray]) -> Optional[Dict[str, np.ndarray]]:
    """Run with onnxruntime (Python) or onnxruntime-node; None when neither is available."""
    try:
        import onnxruntime as ort  # GPU machines
        sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        return dict(zip(OUTPUTS, sess.run(OUTPUTS, feeds)))
    except ImportError:
        pass
    node = shutil.which("node")
    script = os.path.join(os.path.dirname(__file__), "ort_parity.cjs")
    if not node:
        return None
    req = {"model": os.path.abspath(path),
           "feeds": {k: {"data": v.reshape(-1).tolist(), "dims": list(v.shape)} for k, v in feeds.items()}}
    r = subprocess.run([node, script], input=json.dumps(req), capture_output=True, text=True, timeout=300,
                       cwd=os.path.dirname(__file__))
    if r.returncode != 0:
        if "Cannot find module" in r.stderr:
            return None
        raise RuntimeError(f"onnxruntime-node failed: {r.stderr.strip()[-500:]}")
    out = json.loads(r.stdout)
    return {k: np.asarray(out[k]["data"], dtype=np.float32).reshape(out[k]["dims"]) for k in OUTPUTS}


def parity(model: M3Model, path: str) -> Dict[str, object]:
    ids, mask = sample_inputs(model.config.vocab_size, seed=1)
    with torch.no_grad():
        ref = model.eval().float()(ids, mask)
    got = run_onnx(path, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})
    if got is None:
        return {"checked": False, "reason": "no onnxruntime (python) or onnxruntime-node found"}
    diffs = {k: float(np.abs(got[k] - ref[k].numpy()).max()) for k in OUTPUTS}
    return {"checked": True, "max_abs_diff": diffs, "max": max(diffs.values())}


def export_folder(model_dir: str, fp16: bool = False, tolerance: float = 1e-4) -> Dict[str, object]:
    model = load_model(model_dir)
    os.makedirs(os.path.join(model_dir, "onnx"), exist_ok=True)
    path = os.path.join(model_dir, "onnx", "model.onnx")
    export_onnx(model, path)
    result: Dict[str, object] = {"event": "export", "path": path, "opset": 17, "parity": parity(model, path)}
    p = result["parity"]
    result["ok"] = (not p.get("checked")) or p["max"] <= tolerance
    if fp16:
        p16 = os.path.join(model_dir, "onnx", "model.fp16.onnx")
        export_onnx(model, p16, fp16=True)
        result["fp16"] = {"path": p16, "parity": parity(model, p16)}
    return result
