"""The training config read as JSON on stdin: a strict dataclass (unknown field or wrong type -> error event)."""
from __future__ import annotations

import json
import typing
from dataclasses import asdict, dataclass, field, fields
from typing import Dict, List, Optional, Union

from .events import TrainerError


@dataclass
class LoraSection:
    r: int = 8
    alpha: float = 16.0
    dropout: float = 0.05
    target_modules: List[str] = field(default_factory=lambda: ["query", "key", "value", "dense"])


@dataclass
class TrainConfig:
    model: str  # input model folder (HF layout)
    output_dir: str  # checkpoints, final model, adapter; resuming when it already holds checkpoints
    train_data: List[str]  # tokenised JSONL files (docs/CONTRACTS.md)
    val_data: Optional[str] = None
    mode: str = "unified"  # dense | unified | heads
    lora: Optional[LoraSection] = None  # null = full fine-tuning
    epochs: float = 1.0
    max_steps: int = 0  # > 0 overrides epochs
    batch_size: int = 4  # queries per micro-batch per device
    gradient_accumulation_steps: int = 1
    sub_batch_size: int = 0  # GradCache: sequences per forward chunk (0 = whole micro-batch at once)
    train_group_size: int = 8  # 1 positive + (G-1) hard negatives
    in_batch_negatives: bool = True
    cross_device_negatives: bool = True
    temperature: float = 0.02
    self_distill: bool = True
    sparse_weight: float = 0.3
    colbert_weight: float = 1.0
    learning_rate: float = 1e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_grad_norm: float = 1.0
    max_query_length: int = 0  # 0 = keep the data's (already truncated) lengths
    max_passage_length: int = 0
    group_by_length: bool = True
    same_source_within_batch: bool = False
    source_weights: Dict[str, float] = field(default_factory=dict)  # by the data's "source" (file or language)
    precision: str = "auto"  # auto (bf16 on CUDA when supported, else fp32) | fp32 | bf16 | fp16
    gradient_checkpointing: bool = False
    device: str = "auto"  # auto | cpu | cuda
    seed: int = 42
    log_steps: int = 1
    save_steps: int = 0  # 0 = only at the end
    keep_last: int = 2
    eval_steps: int = 0
    oom_backoff_steps: int = 3  # CUDA OOM within the first N steps halves the micro-batch
    dropout: Optional[float] = None  # override the model's dropout probabilities


ENUMS = {"mode": ("dense", "unified", "heads"), "precision": ("auto", "fp32", "bf16", "fp16"),
         "device": ("auto", "cpu", "cuda")}


def _check(name: str, value, tp):
    """Validate `value` against annotation `tp` (string annotations resolved by the caller)."""
    origin = typing.get_origin(tp)
    if origin is Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _check(name, value, args[0])
    if dataclass_type(tp):
        return parse_dataclass(tp, value, name + ".")
    if origin in (list, List):
        if isinstance(value, str) and name == "train_data":
            value = [value]
        if not isinstance(value, list):
            raise TrainerError(f"config field {name!r} must be a list")
        (item,) = typing.get_args(tp)
        return [_check(f"{name}[{i}]", v, item) for i, v in enumerate(value)]
    if origin in (dict, Dict):
        if not isinstance(value, dict):
            raise TrainerError(f"config field {name!r} must be an object")
        _, vt = typing.get_args(tp)
        return {str(k): _check(f"{name}.{k}", v, vt) for k, v in value.items()}
    if tp is bool:
        if not isinstance(value, bool):
            raise TrainerError(f"config field {name!r} must be a boolean, got {type(value).__name__}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TrainerError(f"config field {name!r} must be an integer, got {type(value).__name__}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TrainerError(f"config field {name!r} must be a number, got {type(value).__name__}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise TrainerError(f"config field {name!r} must be a string, got {type(value).__name__}")
        return value
    raise TrainerError(f"config field {name!r}: unsupported type")


def dataclass_type(tp) -> bool:
    return isinstance(tp, type) and hasattr(tp, "__dataclass_fields__")


def parse_dataclass(cls, obj, prefix: str = ""):
    if not isinstance(obj, dict):
        raise TrainerError(f"config {prefix.rstrip('.') or 'root'} must be a JSON object")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(obj) - known)
    if unknown:
        raise TrainerError(f"unknown config field {prefix + unknown[0]!r}", "invalid_config")
    kwargs = {}
    for f in fields(cls):
        if f.name in obj:
            kwargs[f.name] = _check(prefix + f.name, obj[f.name], hints[f.name])
    missing = [f.name for f in fields(cls) if f.name not in obj and _required(f)]
    if missing:
        raise TrainerError(f"config field {prefix + missing[0]!r} is required", "invalid_config")
    return cls(**kwargs)


def _required(f) -> bool:
    import dataclasses
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def parse_config(text: str) -> TrainConfig:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise TrainerError(f"config is not valid JSON: {e}", "invalid_config")
    try:
        cfg = parse_dataclass(TrainConfig, obj)
    except TrainerError as e:
        e.code = "invalid_config"
        raise
    for k, allowed in ENUMS.items():
        if getattr(cfg, k) not in allowed:
            raise TrainerError(f"config field {k!r} must be one of {list(allowed)}", "invalid_config")
    positive = ("batch_size", "gradient_accumulation_steps", "train_group_size", "keep_last", "log_steps")
    for k in positive:
        if getattr(cfg, k) < 1:
            raise TrainerError(f"config field {k!r} must be >= 1", "invalid_config")
    if cfg.temperature <= 0 or cfg.epochs <= 0 and cfg.max_steps <= 0:
        raise TrainerError("temperature must be > 0 and epochs or max_steps positive", "invalid_config")
    if cfg.lora is not None and cfg.lora.r < 1:
        raise TrainerError("config field 'lora.r' must be >= 1", "invalid_config")
    if not cfg.train_data:
        raise TrainerError("config field 'train_data' is empty", "invalid_config")
    return cfg


def to_json(cfg: TrainConfig) -> dict:
    return asdict(cfg)
