"""`python3 -m trainer merge --base DIR --tuned DIR --weight W --out DIR`: merge a fine-tuned model with its base.

LM-Cocktail style (Xiao et al. 2023, "LM-Cocktail: resilient tuning of language models via model merging"): every
weight becomes W·tuned + (1−W)·base, so W = 1 is the tuned model, W = 0 the base, and values between trade domain
gain for general-domain ability. "Every weight" means the encoder (model.safetensors or pytorch_model.bin) and the
two BGE-M3 heads (sparse_linear.pt, colbert_linear.pt): averaging only the encoder would pair a half-way encoder
with heads trained for the tuned one.

`--tuned` is a model folder (checkpoint-N/model, output/model: LoRA is already merged there) or a LoRA adapter
folder (adapter_model.safetensors + adapter_config.json + heads, as the trainer writes to `adapter/`): the adapter
is applied to `--base` and folded into the weights first. Architectures (config.json) and every tensor's name and
shape must match, else nothing is written. The output is written into a temp folder beside `--out` and renamed
into place (atomic); config.json and the tokenizer files come from the tuned folder; m3studio.json records the
merge in its lineage. The sum is computed in float32 (float64 for float64 weights) and stored in the tuned dtype.
"""
from __future__ import annotations

import json
import os
import shutil
from typing import Dict, Tuple

import torch

from . import checkpoint as ckpt
from . import safetensors_io
from .safe_load import load_pt
from .events import TrainerError, emit
from .model import TOKENIZER_FILES, copy_sentence_transformers, read_encoder_weights

HEADS = ("colbert_linear", "sparse_linear")
#: config.json fields that define the architecture: any difference means the weights cannot be averaged.
ARCH_FIELDS = ("model_type", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
               "vocab_size", "max_position_embeddings", "type_vocab_size")


def _config(folder: str) -> dict:
    p = os.path.join(folder, "config.json")
    if not os.path.isfile(p):
        raise TrainerError(f"model folder {folder!r} has no config.json", "missing_model")
    with open(p, encoding="utf-8") as f:
        return json.load(f)


def _heads(folder: str) -> Dict[str, torch.Tensor]:
    out = {}
    for name in HEADS:
        p = os.path.join(folder, f"{name}.pt")
        if os.path.isfile(p):
            for k, v in load_pt(p).items():
                out[f"{name}.{k}"] = v
    return out


def _is_adapter(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "adapter_config.json")) and not (
        os.path.isfile(os.path.join(folder, "model.safetensors")) or os.path.isfile(os.path.join(folder, "pytorch_model.bin")))


def _adapter_weights(base: str, adapter: str) -> Dict[str, torch.Tensor]:
    """Base encoder with the LoRA adapter folded in (W + scale·B·A), as a plain state dict."""
    from .lora import load_adapter, merge_lora
    from .model import load_model
    model = load_model(base)
    try:
        load_adapter(model.encoder, adapter)
    except (KeyError, RuntimeError) as e:
        raise TrainerError(f"the adapter in {adapter!r} does not fit the base model: {e}", "mismatch")
    merge_lora(model.encoder)
    return {k: v.detach().clone() for k, v in model.encoder.state_dict().items()}


def load_weights(folder: str, base_for_adapter: str = "") -> Tuple[Dict[str, torch.Tensor], Dict[str, torch.Tensor]]:
    """(encoder tensors, head tensors named `<head>.<param>`) of a model folder, or of base + adapter."""
    if not os.path.isdir(folder):
        raise TrainerError(f"model folder {folder!r} not found", "missing_model")
    if _is_adapter(folder):
        if not base_for_adapter:
            raise TrainerError(f"{folder!r} is a LoRA adapter: it needs a base model", "mismatch")
        enc = _adapter_weights(base_for_adapter, folder)
        heads = _heads(folder) or _heads(base_for_adapter)  # an adapter without heads kept the base heads
        return enc, heads
    return read_encoder_weights(folder), _heads(folder)


def check_compatible(base_cfg: dict, tuned_cfg: dict, base: Dict[str, torch.Tensor], tuned: Dict[str, torch.Tensor], what: str) -> None:
    diff = [f for f in ARCH_FIELDS if base_cfg.get(f) != tuned_cfg.get(f)]
    if diff:
        f = diff[0]
        raise TrainerError(f"architectures differ: config.json {f} is {base_cfg.get(f)!r} in the base and "
                           f"{tuned_cfg.get(f)!r} in the tuned model", "mismatch")
    only_b, only_t = sorted(set(base) - set(tuned)), sorted(set(tuned) - set(base))
    # The pooler is unused by BGE-M3 and absent from some exports: tolerated when missing on one side only.
    only_b = [k for k in only_b if not k.startswith("pooler.")]
    only_t = [k for k in only_t if not k.startswith("pooler.")]
    if only_b or only_t:
        side, names = ("base", only_b) if only_b else ("tuned", only_t)
        raise TrainerError(f"{what}: {len(names)} tensor(s) only in the {side} model, e.g. {names[0]!r}", "mismatch")
    for k in sorted(set(base) & set(tuned)):
        if tuple(base[k].shape) != tuple(tuned[k].shape):
            raise TrainerError(f"{what}: tensor {k!r} has shape {list(base[k].shape)} in the base and "
                               f"{list(tuned[k].shape)} in the tuned model", "mismatch")


def average(base: Dict[str, torch.Tensor], tuned: Dict[str, torch.Tensor], w: float) -> Dict[str, torch.Tensor]:
    """w·tuned + (1−w)·base per tensor (shared names only; the caller checked they match)."""
    out = {}
    for k in sorted(set(base) & set(tuned)):
        b, t = base[k], tuned[k]
        if not t.is_floating_point():
            if not torch.equal(b, t):
                raise TrainerError(f"integer tensor {k!r} differs between the models", "mismatch")
            out[k] = t.clone()
            continue
        acc = torch.float64 if t.dtype == torch.float64 else torch.float32
        out[k] = (t.to(acc) * w + b.to(acc) * (1.0 - w)).to(t.dtype)
    return out


def merge(base_dir: str, tuned_dir: str, weight: float, out_dir: str) -> dict:
    if not (0.0 <= weight <= 1.0):
        raise TrainerError(f"--weight must be between 0 and 1 (the tuned model's share), got {weight}", "invalid_input")
    for d in (base_dir, tuned_dir):
        if not os.path.isdir(d):
            raise TrainerError(f"model folder {d!r} not found", "missing_model")
    out_dir = os.path.abspath(out_dir)
    base_cfg = _config(base_dir)
    tuned_cfg = base_cfg if _is_adapter(tuned_dir) else _config(tuned_dir)
    b_enc, b_heads = load_weights(base_dir)
    t_enc, t_heads = load_weights(tuned_dir, base_for_adapter=base_dir)
    check_compatible(base_cfg, tuned_cfg, b_enc, t_enc, "encoder")
    if set(b_heads) != set(t_heads):
        raise TrainerError(f"heads differ: base has {sorted({k.split('.')[0] for k in b_heads}) or 'none'}, tuned has "
                           f"{sorted({k.split('.')[0] for k in t_heads}) or 'none'}", "mismatch")
    check_compatible(base_cfg, tuned_cfg, b_heads, t_heads, "heads")
    enc = average(b_enc, t_enc, weight)
    heads = average(b_heads, t_heads, weight)

    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = ckpt.tmp_dir(parent, f"merge-{os.path.basename(out_dir)}")
    try:
        src = tuned_dir if not _is_adapter(tuned_dir) else base_dir
        with open(os.path.join(tmp, "config.json"), "w", encoding="utf-8") as f:
            json.dump(tuned_cfg, f, indent=2)
        safetensors_io.save_file(enc, os.path.join(tmp, "model.safetensors"), {"format": "pt"})
        for name in HEADS:
            part = {k.split(".", 1)[1]: v for k, v in heads.items() if k.split(".", 1)[0] == name}
            if part:
                torch.save(part, os.path.join(tmp, f"{name}.pt"))
        for name in TOKENIZER_FILES:  # the tuned folder's tokenizer, else the base's (an adapter has none)
            for folder in (src, base_dir):
                p = os.path.join(folder, name)
                if os.path.isfile(p):
                    shutil.copyfile(p, os.path.join(tmp, name))
                    break
        copy_sentence_transformers(tmp, src, base_dir)  # so the merged folder loads as a SentenceTransformer too
        meta = {}
        for folder in (src, base_dir):  # the tuned model's metadata (pooling, max length, lineage), else the base's
            p = os.path.join(folder, "m3studio.json")
            if os.path.isfile(p):
                with open(p, encoding="utf-8") as f:
                    meta = json.load(f)
                break
        lineage = {"merge": {"method": "linear", "base": os.path.abspath(base_dir), "tuned": os.path.abspath(tuned_dir),
                             "weight": weight}, "tuned": meta.get("lineage") or {}}
        meta.update({"pooling": meta.get("pooling", "cls"), "dim": tuned_cfg.get("hidden_size"), "lineage": lineage})
        meta.setdefault("max_length", int(tuned_cfg.get("max_position_embeddings", 514)) - int(tuned_cfg.get("pad_token_id", 1)) - 1)
        with open(os.path.join(tmp, "m3studio.json"), "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=2, ensure_ascii=False)
        ckpt.commit(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"out": out_dir, "weight": weight, "tensors": len(enc) + len(heads),
            "parameters": int(sum(t.numel() for t in enc.values()) + sum(t.numel() for t in heads.values()))}


def main(base: str, tuned: str, weight: float, out: str) -> int:
    res = merge(base, tuned, weight, out)
    emit("done", **res)
    return 0
