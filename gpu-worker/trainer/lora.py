"""LoRA (Hu et al. 2021) for the encoder's nn.Linear layers, peft-compatible on disk.

y = W x + b + (alpha / r) * B(A(dropout(x)));  A [r, in] kaiming-uniform, B [out, r] zeros (so training starts at
the base model). `merge_lora` folds B·A·scale into W and puts plain nn.Linear back. The adapter is saved as
`adapter_model.safetensors` + `adapter_config.json` with peft's key names
(`base_model.model.<module>.lora_A.weight`), so `PeftModel.from_pretrained(XLMRobertaModel, dir)` loads it.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from typing import Dict, List

import torch
import torch.nn as nn

from . import safetensors_io


@dataclass
class LoraConfig:
    r: int = 8
    alpha: float = 16.0
    dropout: float = 0.05
    target_modules: List[str] = field(default_factory=lambda: ["query", "key", "value", "dense"])


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, r: int, alpha: float, dropout: float):
        super().__init__()
        self.base = base
        self.r, self.scale = r, alpha / r
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        self.lora_dropout = nn.Dropout(dropout)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.lora_A.to(base.weight.device)
        self.lora_B.to(base.weight.device)

    @property
    def weight(self) -> torch.Tensor:  # so code reading `.weight.dtype` keeps working
        return self.base.weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # [..., in] -> [..., out]
        return self.base(x) + self.lora_B(self.lora_A(self.lora_dropout(x))) * self.scale

    def merged_weight(self) -> torch.Tensor:
        return self.base.weight + (self.lora_B.weight @ self.lora_A.weight) * self.scale


def _targets(root: nn.Module, cfg: LoraConfig):
    for name, mod in list(root.named_modules()):
        for child_name, child in list(mod.named_children()):
            full = f"{name}.{child_name}" if name else child_name
            if isinstance(child, nn.Linear) and child_name in cfg.target_modules and not full.startswith("pooler"):
                yield mod, child_name, full, child


def apply_lora(encoder: nn.Module, cfg: LoraConfig) -> List[str]:
    """Wrap targeted Linear layers of `encoder` in place; freeze every base weight. Returns wrapped names."""
    for p in encoder.parameters():
        p.requires_grad_(False)
    wrapped = []
    for parent, child_name, full, child in list(_targets(encoder, cfg)):
        setattr(parent, child_name, LoRALinear(child, cfg.r, cfg.alpha, cfg.dropout))
        wrapped.append(full)
    return wrapped


def lora_modules(encoder: nn.Module) -> Dict[str, LoRALinear]:
    return {n: m for n, m in encoder.named_modules() if isinstance(m, LoRALinear)}


def merge_lora(encoder: nn.Module) -> None:
    """Replace every LoRALinear by a plain Linear with W + scale·B·A (in place)."""
    for name, m in list(lora_modules(encoder).items()):
        parent = encoder.get_submodule(name.rsplit(".", 1)[0]) if "." in name else encoder
        lin = nn.Linear(m.base.in_features, m.base.out_features, device=m.base.weight.device, dtype=m.base.weight.dtype)
        with torch.no_grad():
            lin.weight.copy_(m.merged_weight())
            lin.bias.copy_(m.base.bias)
        setattr(parent, name.rsplit(".", 1)[-1], lin)


def adapter_state(encoder: nn.Module) -> Dict[str, torch.Tensor]:
    out = {}
    for name, m in lora_modules(encoder).items():
        out[f"base_model.model.{name}.lora_A.weight"] = m.lora_A.weight.detach().float().cpu()
        out[f"base_model.model.{name}.lora_B.weight"] = m.lora_B.weight.detach().float().cpu()
    return out


def save_adapter(encoder: nn.Module, cfg: LoraConfig, folder: str, base_model: str = "") -> None:
    os.makedirs(folder, exist_ok=True)
    safetensors_io.save_file(adapter_state(encoder), os.path.join(folder, "adapter_model.safetensors"))
    with open(os.path.join(folder, "adapter_config.json"), "w", encoding="utf-8") as f:
        json.dump({"peft_type": "LORA", "task_type": "FEATURE_EXTRACTION", "r": cfg.r, "lora_alpha": cfg.alpha,
                   "lora_dropout": cfg.dropout, "target_modules": list(cfg.target_modules), "bias": "none",
                   "fan_in_fan_out": False, "inference_mode": True, "base_model_name_or_path": base_model,
                   "modules_to_save": None}, f, indent=2)


def load_adapter(encoder: nn.Module, folder: str) -> LoraConfig:
    """Apply and fill LoRA from a peft-style adapter folder (ours or peft's)."""
    with open(os.path.join(folder, "adapter_config.json"), encoding="utf-8") as f:
        c = json.load(f)
    tm = c["target_modules"]
    cfg = LoraConfig(r=c["r"], alpha=c["lora_alpha"], dropout=c.get("lora_dropout", 0.0),
                     target_modules=sorted(tm) if isinstance(tm, (list, set)) else [tm])
    apply_lora(encoder, cfg)
    sd = safetensors_io.load_file(os.path.join(folder, "adapter_model.safetensors"))
    mods = lora_modules(encoder)
    for key, t in sd.items():
        k = key[len("base_model.model."):] if key.startswith("base_model.model.") else key
        name, which = k.rsplit(".lora_", 1)
        which = which.split(".")[0]  # "A" / "B" (peft may write "lora_A.default.weight" in memory only)
        if name not in mods:
            if name.startswith("pooler."):  # peft also wraps the pooler for target "dense"; BGE-M3 never uses it
                continue
            raise KeyError(f"adapter targets {name!r}, which is not a wrapped Linear of this model")
        getattr(mods[name], f"lora_{which}").weight.data.copy_(t)
    return cfg
