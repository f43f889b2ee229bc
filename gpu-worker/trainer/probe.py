"""`python3 -m trainer probe --model DIR`: PyTorch's outputs of a checkpoint folder for the deployment's parity probe.

stdin: one JSON object {"input_ids": [[<s> ... </s>], ...], "special_ids": [0, 1, 2, 3]} (the probe texts, tokenized
by the same tokenizer.json the server uses, so the comparison isolates the served graph from the weights it came from).
stdout: one JSON line {"event": "probe", "dense": [[H]], "sparse": [{"id": weight}], "colbert": [[[H] per token]]}
with BGE-M3's semantics (FlagEmbedding v1.4): dense = normalised CLS; sparse = relu weight per token, max per token
id, special ids dropped, zero weights dropped; ColBERT = one normalised vector per token after <s>. Always fp32 on
the CPU: this is the reference every precision is measured against.
"""
from __future__ import annotations

import json
import sys
from typing import Dict, List, Sequence

import torch

from .encode import encode_batch
from .model import load_model


def sparse_by_id(weights: Sequence[float], ids: Sequence[int], special: set) -> Dict[str, float]:
    out: Dict[str, float] = {}
    for t, w in zip(ids, weights):
        if t in special or w <= 0:
            continue
        k = str(t)
        out[k] = max(out.get(k, 0.0), float(w))
    return out


def probe_outputs(model_dir: str, input_ids: List[List[int]], special_ids: Sequence[int]) -> Dict[str, object]:
    model = load_model(model_dir).eval().float()
    out: Dict[str, object] = {"dense": [], "sparse": [], "colbert": []}
    special = set(int(i) for i in special_ids)
    for row in input_ids:  # one text per call: no padding, so nothing depends on the batch
        r = encode_batch(model, [row], None)
        out["dense"].append(r["dense"][0])
        out["sparse"].append(sparse_by_id(r["sparse"][0], row, special))
        out["colbert"].append(r["colbert"][0])
    return out


def main(model_dir: str, stdin=sys.stdin, stdout=sys.stdout) -> int:
    from .events import TrainerError
    try:
        req = json.loads(stdin.read())
        ids = req["input_ids"]
    except (ValueError, KeyError, TypeError) as e:
        raise TrainerError(f"probe: stdin must be one JSON object with input_ids ({e})", "bad_input")
    torch.set_grad_enabled(False)
    stdout.write(json.dumps({"event": "probe", **probe_outputs(model_dir, ids, req.get("special_ids", []))}) + "\n")
    stdout.flush()
    return 0
