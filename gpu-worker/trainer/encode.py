"""`python3 -m trainer encode --model DIR`: the torch inference backend (protocol in docs/CONTRACTS.md)."""
from __future__ import annotations

import json
import sys

import torch

from .model import load_model


def serve(model_dir: str, device: str = "cpu", dtype: str = "fp32", stdin=sys.stdin, stdout=sys.stdout) -> int:
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("cuda is not available")
    model = load_model(model_dir, device).eval()
    tdtype = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[dtype]
    if tdtype != torch.float32:
        model = model.to(tdtype)
    c = model.config
    stdout.write(json.dumps({"event": "ready", "dim": c.hidden_size, "max_length": c.max_length}) + "\n")
    stdout.flush()
    for line in stdin:
        if not line.strip():
            continue
        rid = None
        try:
            req = json.loads(line)
            rid = req.get("id")
            out = encode_batch(model, req["input_ids"], req.get("attention_mask"), device)
            stdout.write(json.dumps({"id": rid, **out}) + "\n")
        except Exception as e:  # one bad request never kills the backend
            stdout.write(json.dumps({"id": rid, "error": f"{type(e).__name__}: {e}"}) + "\n")
        stdout.flush()
    return 0


@torch.no_grad()
def encode_batch(model, input_ids, attention_mask, device="cpu"):
    c = model.config
    if not isinstance(input_ids, list) or not input_ids:
        raise ValueError("input_ids must be a non-empty list of lists")
    n = max(len(r) for r in input_ids)
    if n > c.max_length:
        raise ValueError(f"sequence length {n} exceeds max_length {c.max_length}")
    if attention_mask is None:
        attention_mask = [[1] * len(r) for r in input_ids]
    ids = torch.full((len(input_ids), n), c.pad_token_id, dtype=torch.long)
    mask = torch.zeros((len(input_ids), n), dtype=torch.long)
    for i, (r, m) in enumerate(zip(input_ids, attention_mask)):
        if len(r) != len(m):
            raise ValueError(f"row {i}: input_ids and attention_mask lengths differ")
        ids[i, :len(r)] = torch.tensor(r, dtype=torch.long)
        mask[i, :len(m)] = torch.tensor(m, dtype=torch.long)
    if int(ids.min()) < 0 or int(ids.max()) >= c.vocab_size:
        raise ValueError(f"token id out of range [0, {c.vocab_size})")
    out = model(ids.to(device), mask.to(device))
    lengths = mask.sum(1).tolist()
    colbert = [out["colbert"][i, :max(0, int(L) - 1)].float().cpu().tolist() for i, L in enumerate(lengths)]
    return {"dense": out["dense"].float().cpu().tolist(), "sparse": out["sparse"].float().cpu().tolist(), "colbert": colbert}
