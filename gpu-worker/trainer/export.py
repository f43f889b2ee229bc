"""`python3 -m trainer export --model DIR [--fp16] [--external-data]`: ONNX (opset 17) with a parity check against PyTorch.

Graph: input_ids, attention_mask int64 [batch, seq] -> dense [batch, hidden], sparse [batch, seq],
colbert [batch, seq-1, hidden] (docs/CONTRACTS.md). The parity check runs the ONNX file with onnxruntime (Python
if installed, else onnxruntime-node through `ort_parity.cjs`).

Weights go to ONNX external data (`model.onnx.data` beside `model.onnx`, one file) when the graph would pass
protobuf's 2 GiB limit (a BGE-M3-sized model: 2.27 GB of fp32 weights), or when forced (`--external-data` or
M3_ONNX_EXTERNAL_DATA=1, which the tests use on the small demo model).

Atomic and trusted: every graph is written into a fresh `onnx/.tmp-export-*` folder, checked there against PyTorch,
and only a graph that passes is renamed into `onnx/` (its data file first, the graph last, so a graph never lands
without its data). A graph that fails the check is discarded together with any older graph of the same name, so no
later deploy (which exports only when the graph is missing) can skip the check.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from typing import Callable, Dict, Optional

import numpy as np
import torch

from .model import M3Model, load_model

OUTPUTS = ["dense", "sparse", "colbert"]
# protobuf refuses to serialise a message over 2 GiB; graph structure and non-weight constants need headroom.
EXTERNAL_DATA_ABOVE_BYTES = int(1.8 * 2**30)
FP16_MIN_COSINE = 0.999  # server/services/deployments/precision.ts PARITY_RULE.fp16


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


def data_file(graph_path: str) -> str:
    """The external-data file of a graph: always one file, named after the graph, in the same folder."""
    return graph_path + ".data"


def weight_bytes(model: M3Model, fp16: bool = False) -> int:
    n = sum(t.numel() for t in model.parameters()) + sum(t.numel() for t in model.buffers())
    return n * (2 if fp16 else 4)


def use_external_data(model: M3Model, fp16: bool = False, force: Optional[bool] = None) -> bool:
    if force is None:
        force = os.environ.get("M3_ONNX_EXTERNAL_DATA", "") not in ("", "0")
    return bool(force) or weight_bytes(model, fp16) > EXTERNAL_DATA_ABOVE_BYTES


def export_onnx(model: M3Model, path: str, fp16: bool = False, external_data: bool = False) -> None:
    """Writes the graph to `path` (and `path`.data when `external_data`). `path` must be in an empty staging folder:
    torch writes a >2 GiB graph as one file per tensor beside it, which the re-save below gathers into one file."""
    model = model.eval().float()
    ids, mask = sample_inputs(model.config.vocab_size)
    import inspect
    extra = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    raw = os.path.join(os.path.dirname(path), "torch-export")
    os.makedirs(raw)
    raw_graph = os.path.join(raw, os.path.basename(path))
    with torch.no_grad():
        torch.onnx.export(OnnxWrapper(model), (ids, mask), raw_graph, opset_version=17, **extra,
                          input_names=["input_ids", "attention_mask"], output_names=OUTPUTS,
                          dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                                        "dense": {0: "batch"}, "sparse": {0: "batch", 1: "seq"},
                                        "colbert": {0: "batch", 1: "seq_minus_1"}}, do_constant_folding=True)
    if not fp16 and not external_data and len(os.listdir(raw)) == 1:
        os.replace(raw_graph, path)  # the common small case: torch's single file is the graph
    else:
        import onnx
        m = onnx.load(raw_graph)  # also reads torch's per-tensor files of a large graph
        if fp16:
            _to_fp16(m)
        save_graph(m, path, external_data)
    shutil.rmtree(raw, ignore_errors=True)


def save_graph(m, path: str, external_data: bool) -> None:
    import onnx
    if external_data:
        # all tensors over 1 KiB in one file, referenced by a path relative to the graph (the pair moves together)
        onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=os.path.basename(data_file(path)), size_threshold=1024)
    else:
        onnx.save_model(m, path)


def _to_fp16(m) -> None:
    """Cast float32 initializers to fp16 with Cast nodes back to fp32 (keeps fp32 I/O; halves the file)."""
    from onnx import helper, numpy_helper, TensorProto
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


def run_onnx(path: str, feeds: Dict[str, np.ndarray]) -> Optional[Dict[str, np.ndarray]]:
    """Run with onnxruntime (Python) or onnxruntime-node; None when neither is available. External data is read
    from beside `path` by both."""
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
    r = subprocess.run([node, script], input=json.dumps(req), capture_output=True, text=True, timeout=1800,
                       cwd=os.path.dirname(__file__))
    if r.returncode != 0:
        if "Cannot find module" in r.stderr:
            return None
        raise RuntimeError(f"onnxruntime-node failed on {path}: {r.stderr.strip()[-500:]}")
    out = json.loads(r.stdout)
    return {k: np.asarray(out[k]["data"], dtype=np.float32).reshape(out[k]["dims"]) for k in OUTPUTS}


def _min_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Smallest cosine between matching rows (last axis); rows that are zero in both (padding) are skipped."""
    a2, b2 = a.reshape(-1, a.shape[-1]) if a.ndim > 1 else a[None], b.reshape(-1, b.shape[-1]) if b.ndim > 1 else b[None]
    na, nb = np.linalg.norm(a2, axis=1), np.linalg.norm(b2, axis=1)
    keep = (na > 0) | (nb > 0)
    if not keep.any():
        return 1.0
    cos = (a2[keep] * b2[keep]).sum(1) / np.maximum(na[keep] * nb[keep], 1e-30)
    return float(cos.min())


def parity(model: M3Model, path: str) -> Dict[str, object]:
    ids, mask = sample_inputs(model.config.vocab_size, seed=1)
    with torch.no_grad():
        ref = model.eval().float()(ids, mask)
    got = run_onnx(path, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})
    if got is None:
        return {"checked": False, "reason": "no onnxruntime (python) or onnxruntime-node found"}
    diffs = {k: float(np.abs(got[k] - ref[k].numpy()).max()) for k in OUTPUTS}
    cos = {k: _min_cosine(got[k], ref[k].numpy()) for k in OUTPUTS}
    return {"checked": True, "max_abs_diff": diffs, "max": max(diffs.values()), "min_cosine": min(cos.values())}


def export_checked(model: M3Model, reference: M3Model, graph_path: str, accept: Callable[[Dict], bool],
                   fp16: bool = False, external_data: Optional[bool] = None) -> Dict[str, object]:
    """Exports `model` to `graph_path` only if its graph agrees with `reference` in PyTorch (`accept(parity)`).
    `model` and `reference` are the same module in production; a test passes a perturbed copy as `model`."""
    folder = os.path.dirname(graph_path)
    os.makedirs(folder, exist_ok=True)
    external = use_external_data(model, fp16, external_data)
    staging = tempfile.mkdtemp(prefix=".tmp-export-", dir=folder)  # checkpoint downloads skip .tmp* names
    try:
        staged = os.path.join(staging, os.path.basename(graph_path))
        export_onnx(model, staged, fp16=fp16, external_data=external)
        p = parity(reference, staged)
        ok = (not p.get("checked")) or accept(p)
        if ok:
            if external:
                os.replace(data_file(staged), data_file(graph_path))
            os.replace(staged, graph_path)  # the commit point: a graph is present only with its data
            if not external and os.path.exists(data_file(graph_path)):
                os.remove(data_file(graph_path))  # an older external-data export's leftover
        else:
            for stale in (graph_path, data_file(graph_path)):
                if os.path.exists(stale):
                    os.remove(stale)
        res: Dict[str, object] = {"path": graph_path, "ok": ok, "parity": p, "external_data": external}
        if ok and external:
            res["data_file"] = data_file(graph_path)
        return res
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def export_folder(model_dir: str, fp16: bool = False, tolerance: float = 1e-4,
                  external_data: Optional[bool] = None) -> Dict[str, object]:
    model = load_model(model_dir)
    path = os.path.join(model_dir, "onnx", "model.onnx")
    fp32 = export_checked(model, model, path, lambda p: p["max"] <= tolerance, external_data=external_data)
    result: Dict[str, object] = {"event": "export", "opset": 17, **fp32}
    if not fp32["ok"]:
        result["reason"] = f"ONNX parity failed: max |onnx - pytorch| {fp32['parity']['max']:.3g} > {tolerance}; graph discarded"
    if fp16:
        p16 = os.path.join(model_dir, "onnx", "model.fp16.onnx")
        result["fp16"] = export_checked(model, model, p16, lambda p: p["min_cosine"] >= FP16_MIN_COSINE,
                                        fp16=True, external_data=external_data)
        result["ok"] = result["ok"] and result["fp16"]["ok"]
    return result
