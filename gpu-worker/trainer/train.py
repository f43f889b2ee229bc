"""`python3 -m trainer train`: the fine-tuning loop (trainer protocol in docs/CONTRACTS.md).

One step = `gradient_accumulation_steps` micro-batches of `batch_size` groups; each micro-batch goes through
gradcache.Stepper (one pass, or chunks with cached gradients when sub_batch_size > 0). Everything is validated
before anything is written; checkpoints hold what an exact resume needs (checkpoint.py).
"""
from __future__ import annotations

import copy
import json
import math
import os
import random
import signal
import time
from contextlib import nullcontext
from dataclasses import asdict
from typing import Callable, Dict, List, Optional

import numpy as np
import torch

from . import checkpoint as ckpt
from .config import TrainConfig
from .data import BatchPlan, Group, draw_passages, load_groups, pad
from .events import TrainerError, emit, log
from .lora import LoraConfig, apply_lora, lora_modules, merge_lora, save_adapter
from .gradcache import Stepper
from .losses import M3Loss
from .model import M3Model, copy_tokenizer, load_model, save_model

# config fields that may differ between an interrupted run and its restart
RESUME_FREE = {"save_steps", "keep_last", "eval_steps", "log_steps", "device", "oom_backoff_steps"}


class Stop:
    """Set by SIGTERM/SIGINT (or a test): the loop checkpoints at the next step boundary and exits non-zero."""

    def __init__(self):
        self.requested = False

    def install(self):
        for s in (signal.SIGTERM, signal.SIGINT):
            signal.signal(s, lambda *_: setattr(self, "requested", True))
        return self


# ------------------------------------------------------------------------------------------------ setup

def _device(cfg: TrainConfig) -> torch.device:
    if cfg.device == "cuda" and not torch.cuda.is_available():
        raise TrainerError("device 'cuda' requested but CUDA is not available", "invalid_config")
    if cfg.device == "cpu" or (cfg.device == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    local = int(os.environ.get("LOCAL_RANK", "0"))
    torch.cuda.set_device(local)
    return torch.device("cuda", local)


def _precision(cfg: TrainConfig, device: torch.device) -> str:
    if device.type != "cuda":
        return "fp32"  # autocast on CPU is slow and not what the GPU runs; keep CPU runs exact
    if cfg.precision == "auto":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return cfg.precision


def _dist():
    import torch.distributed as dist
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return (dist.get_rank(), dist.get_world_size()) if world > 1 else (0, 1)


def build_model(cfg: TrainConfig, device: torch.device) -> M3Model:
    if not os.path.isdir(cfg.model):
        raise TrainerError(f"model folder {cfg.model!r} not found", "missing_model")
    model = load_model(cfg.model)
    if cfg.dropout is not None:
        for m in model.modules():
            if isinstance(m, torch.nn.Dropout):
                m.p = cfg.dropout
            if hasattr(m, "dropout_p"):
                m.dropout_p = cfg.dropout
    model.encoder.pooler.requires_grad_(False)  # BGE-M3 never uses the pooler (DDP needs every trainable param used)
    if cfg.lora is not None:
        torch.manual_seed(cfg.seed)
        apply_lora(model.encoder, LoraConfig(**asdict(cfg.lora)))
    if cfg.mode == "heads":
        model.encoder.requires_grad_(False)
    if cfg.mode == "dense":  # heads stay exactly the base's: a dense-only model never carries random heads
        model.sparse_linear.requires_grad_(False)
        model.colbert_linear.requires_grad_(False)
    model.encoder.gradient_checkpointing = cfg.gradient_checkpointing
    return model.to(device)


def merged_copy(model: M3Model) -> M3Model:
    m = copy.deepcopy(model).to("cpu")
    merge_lora(m.encoder)
    return m


# ------------------------------------------------------------------------------------------------ the run

def duplicate_mask(passages: List[List[int]], G: int, device) -> Optional[torch.Tensor]:
    """[Q,P] True where passage j is the same text as query i's positive but is not that positive (a false
    negative, e.g. another query's positive drawn as a hard negative). None when there are none."""
    first: Dict[tuple, List[int]] = {}
    for j, p in enumerate(passages):
        first.setdefault(tuple(p), []).append(j)
    Q = len(passages) // G
    rows = [(i, j) for i in range(Q) for j in first[tuple(passages[i * G])] if j != i * G]
    if not rows:
        return None
    m = torch.zeros(Q, len(passages), dtype=torch.bool)
    for i, j in rows:
        m[i, j] = True
    return m.to(device)


def _param_groups(model: torch.nn.Module, wd: float):
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        if p.requires_grad:
            (no_decay if p.ndim < 2 or "LayerNorm" in n else decay).append(p)
    return [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]


def _linear_schedule(total: int, warmup: int):
    def f(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        return max(0.0, (total - step) / max(1, total - warmup))
    return f


def _rng_all_ranks(world: int) -> list:
    """[(cpu_state, cuda_states)] for every rank (so a resumed DDP run replays each rank's dropout)."""
    from .gradcache import rng_state
    if world == 1:
        return [rng_state()]
    import torch.distributed as dist
    out = [None] * world
    dist.all_gather_object(out, rng_state())
    return out


def _any_rank(flag: bool, world: int, device: torch.device) -> bool:
    if world == 1:
        return flag
    import torch.distributed as dist
    t = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item() > 0)


def _is_oom(e: BaseException) -> bool:
    return isinstance(e, RuntimeError) and "out of memory" in str(e).lower()


def can_back_off(e: BaseException, device: torch.device, step: int, cfg: TrainConfig) -> bool:
    """CUDA OOM in the first `oom_backoff_steps` steps: retry the step with half the micro-batch."""
    return _is_oom(e) and device.type == "cuda" and step < cfg.oom_backoff_steps


def run(cfg: TrainConfig, stop: Optional[Stop] = None, on_step: Optional[Callable[[int, float], None]] = None) -> int:
    """Train per `cfg`. Returns the exit code (0 done, 143 stopped after a checkpoint). Raises TrainerError."""
    stop = stop or Stop()
    t_start = time.time()
    rank, world = _dist()
    device = _device(cfg)
    precision = _precision(cfg, device)
    # ---- validate everything before writing anything
    model = build_model(cfg, device)
    vocab = model.config.vocab_size
    groups = load_groups(cfg.train_data, vocab, cfg.max_query_length, cfg.max_passage_length)
    val_groups = load_groups([cfg.val_data], vocab, cfg.max_query_length, cfg.max_passage_length) if cfg.val_data else None
    if max(max(len(g.query), g.length - len(g.query)) for g in groups) > model.config.max_length:
        raise TrainerError(f"a sequence is longer than the model's max length {model.config.max_length}", "invalid_data")
    plan = BatchPlan(groups, cfg.batch_size, cfg.seed, cfg.group_by_length, cfg.same_source_within_batch,
                     cfg.source_weights, rank, world)
    per_epoch = len(plan.epoch(0))
    total = cfg.max_steps if cfg.max_steps > 0 else max(1, math.ceil(cfg.epochs * per_epoch / cfg.gradient_accumulation_steps))
    resolved = {**asdict(cfg), "resolved": {"precision": precision, "world_size": world, "total_steps": total}}
    prev = ckpt.load_latest(cfg.output_dir) if os.path.isdir(cfg.output_dir) else None
    if prev is not None:
        changed = [k for k in asdict(cfg) if k not in RESUME_FREE and prev["config"].get(k) != asdict(cfg)[k]]
        if changed:
            raise TrainerError(f"{cfg.output_dir!r} holds checkpoints of another config (differs in {changed[0]!r})",
                               "resume_mismatch")
    trainable = [p for p in model.parameters() if p.requires_grad]
    if not trainable:
        raise TrainerError("nothing to train in this mode", "invalid_config")

    # ---- optimiser, schedule, precision
    torch.manual_seed(cfg.seed + rank)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    ddp = None
    fwd_model: torch.nn.Module = model
    if world > 1:
        ddp = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
        fwd_model = ddp
    opt = torch.optim.AdamW(_param_groups(model, cfg.weight_decay), lr=cfg.learning_rate)
    warmup = int(cfg.warmup_ratio * total)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, _linear_schedule(total, warmup))
    scaler = torch.cuda.amp.GradScaler() if precision == "fp16" else None
    amp_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
    amp = (lambda: torch.autocast("cuda", dtype=amp_dtype)) if amp_dtype else nullcontext
    loss_fn = M3Loss(cfg.mode, cfg.temperature, cfg.train_group_size, cfg.in_batch_negatives,
                     cfg.cross_device_negatives, cfg.self_distill, 1.0, cfg.sparse_weight, cfg.colbert_weight)

    step, epoch, bidx, split = 0, 0, 0, 1
    if prev is not None:
        named = dict(model.named_parameters())
        with torch.no_grad():
            for k, v in prev["trainable"].items():
                named[k].copy_(v)
        st = prev["state"]
        opt.load_state_dict(st["optimizer"])
        sched.load_state_dict(st["scheduler"])
        if scaler is not None and st.get("scaler"):
            scaler.load_state_dict(st["scaler"])
        step, epoch, bidx, split = st["step"], st["epoch"], st["batch"], st.get("split", 1)
        cpu_rng, cuda_rng = st["rng_ranks"][rank if rank < len(st["rng_ranks"]) else 0]
        torch.set_rng_state(cpu_rng)
        if torch.cuda.is_available() and cuda_rng:
            torch.cuda.set_rng_state_all(cuda_rng)
    is_main = rank == 0
    if prev is not None and is_main:
        emit("resume", step=step, path=prev["path"])
    if is_main and os.path.isdir(cfg.output_dir):
        ckpt.clean_temp(cfg.output_dir)  # leftovers of a killed run (only rank 0 writes)
    stepper = Stepper(fwd_model, loss_fn, amp, cfg.sub_batch_size, ddp)
    pad_multiple = 8 if device.type == "cuda" else 1  # fewer distinct shapes for the CUDA allocator and kernels
    if is_main:
        emit("start", total_steps=total, start_step=step, device=str(device), precision=precision, world_size=world,
             groups=len(groups), batches_per_epoch=per_epoch, trainable_params=sum(p.numel() for p in trainable),
             mode=cfg.mode, lora=cfg.lora is not None)

    def save_checkpoint() -> str:
        """Called on every rank (each rank's RNG state is gathered); rank 0 writes."""
        rngs = _rng_all_ranks(world)
        if not is_main:
            return ""

        def write_model(tmp):
            os.makedirs(os.path.join(tmp, "model"))
            _write_model_folder(model, cfg, os.path.join(tmp, "model"), step)
            if cfg.lora is not None:
                _write_adapter(model, cfg, os.path.join(tmp, "adapter"))
        state = {"optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
                 "scaler": scaler.state_dict() if scaler else None, "step": step, "epoch": epoch, "batch": bidx,
                 "split": split, "rng_ranks": rngs}
        tr = {n: p.detach().cpu() for n, p in model.named_parameters() if p.requires_grad}
        path = ckpt.save(cfg.output_dir, step, write_model, tr, state, resolved, cfg.keep_last)
        emit("checkpoint", step=step, path=path)
        return path

    def next_batch():
        nonlocal epoch, bidx
        batches = plan.epoch(epoch)
        if bidx >= len(batches):
            epoch, bidx = epoch + 1, 0
            batches = plan.epoch(epoch)
        b = (batches[bidx], epoch, bidx)
        bidx += 1
        return b

    model.train()
    samples, t_win = 0, time.time()
    while step < total:
        micro = [next_batch() for _ in range(cfg.gradient_accumulation_steps)]
        while True:  # retried with a smaller micro-batch after a CUDA OOM in the first steps
            try:
                loss_sum, stats_sum, n_micro = 0.0, {}, 0
                pieces = []
                for batch, ep, bi in micro:
                    qs, ps = draw_passages(groups, batch, cfg.train_group_size, cfg.seed, ep, bi)
                    per = math.ceil(len(batch) / split)
                    for s in range(0, len(batch), per):
                        pieces.append((qs[s:s + per], ps[s * cfg.train_group_size:(s + per) * cfg.train_group_size]))
                for i, (qs, ps) in enumerate(pieces):
                    q_ids, q_mask = pad(qs, device, pad_multiple)
                    p_ids, p_mask = pad(ps, device, pad_multiple)
                    dup = duplicate_mask(ps, cfg.train_group_size, device)
                    scale = (lambda l, k=len(pieces): scaler.scale(l / k)) if scaler else (lambda l, k=len(pieces): l / k)
                    loss, stats = stepper(q_ids, q_mask, p_ids, p_mask, scale, i == len(pieces) - 1, dup)
                    loss_sum += float(loss)
                    for k, v in stats.items():
                        stats_sum[k] = stats_sum.get(k, 0.0) + v
                    n_micro += 1
                    samples += len(qs)
                break
            except RuntimeError as e:
                if not can_back_off(e, device, step, cfg):
                    raise
                opt.zero_grad(set_to_none=True)
                torch.cuda.empty_cache()
                if math.ceil(cfg.batch_size / split) <= 1:
                    raise TrainerError("CUDA out of memory even with a micro-batch of 1", "oom")
                split *= 2
                emit("oom_backoff", step=step, micro_batch_size=math.ceil(cfg.batch_size / split),
                     accumulation=cfg.gradient_accumulation_steps * split)
        if scaler:
            scaler.unscale_(opt)
        gnorm = float(torch.nn.utils.clip_grad_norm_(trainable, cfg.max_grad_norm if cfg.max_grad_norm > 0 else 1e12))
        if scaler:
            scaler.step(opt)
            scaler.update()
        else:
            opt.step()
        lr = sched.get_last_lr()[0]
        sched.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        loss_v = loss_sum / n_micro
        if on_step:
            on_step(step, loss_v)
        if is_main and (step % cfg.log_steps == 0 or step == total):
            dt = max(1e-9, time.time() - t_win)
            mem = {"peak_mem_mb": round(torch.cuda.max_memory_allocated(device) / 2**20, 1)} if device.type == "cuda" else {}
            emit("step", step=step, loss=loss_v, lr=lr, grad_norm=gnorm, samples_per_s=samples * world / dt,
                 epoch=epoch, **mem, **{k: v / n_micro for k, v in stats_sum.items()})
            samples, t_win = 0, time.time()
        if not math.isfinite(loss_v):
            raise TrainerError(f"loss is not finite at step {step}", "diverged")
        if val_groups and cfg.eval_steps > 0 and step % cfg.eval_steps == 0 and step < total and is_main:
            emit("eval", step=step, **evaluate(model, val_groups, cfg, device, amp, loss_fn))
        if cfg.save_steps > 0 and step % cfg.save_steps == 0 and step < total:
            save_checkpoint()
        if _any_rank(stop.requested, world, device):  # every rank stops at the same step
            save_checkpoint()
            if is_main:
                emit("stopped", step=step, reason="signal")
            return 143
    if is_main and val_groups:
        emit("eval", step=step, **evaluate(model, val_groups, cfg, device, amp, loss_fn))
    path = save_checkpoint()
    if is_main:
        final = _write_final(model, cfg, step)
        emit("done", step=step, model=final, checkpoint=path, seconds=round(time.time() - t_start, 3))
    return 0


def _write_model_folder(model: M3Model, cfg: TrainConfig, folder: str, step: int) -> None:
    m = merged_copy(model) if lora_modules(model.encoder) else model
    lineage = {"base": os.path.abspath(cfg.model), "mode": cfg.mode, "lora": asdict(cfg.lora) if cfg.lora else None,
               "step": step, "train_data": [os.path.basename(p) for p in cfg.train_data]}
    save_model(m, folder, {"lineage": lineage})
    copy_tokenizer(cfg.model, folder)


def _write_adapter(model: M3Model, cfg: TrainConfig, folder: str) -> None:
    """peft-style adapter + the (small, possibly trained) heads, like peft's modules_to_save."""
    save_adapter(model.encoder, LoraConfig(**asdict(cfg.lora)), folder, os.path.abspath(cfg.model))
    for name in ("colbert_linear", "sparse_linear"):
        torch.save({k: v.detach().float().cpu().clone() for k, v in getattr(model, name).state_dict().items()},
                   os.path.join(folder, f"{name}.pt"))


def _write_final(model: M3Model, cfg: TrainConfig, step: int) -> str:
    tmp = ckpt.tmp_dir(cfg.output_dir, "model")
    _write_model_folder(model, cfg, tmp, step)
    final = os.path.join(cfg.output_dir, "model")
    ckpt.commit(tmp, final)
    if cfg.lora is not None:
        tmp = ckpt.tmp_dir(cfg.output_dir, "adapter")
        _write_adapter(model, cfg, tmp)
        ckpt.commit(tmp, os.path.join(cfg.output_dir, "adapter"))
    return final


@torch.no_grad()
def evaluate(model: M3Model, groups: List[Group], cfg: TrainConfig, device, amp, loss_fn: M3Loss) -> Dict[str, float]:
    """Validation loss and in-batch accuracy on fixed batches (no shuffle, epoch 0 draws)."""
    was = model.training
    model.eval()
    plan = BatchPlan(groups, cfg.batch_size, cfg.seed, group_by_length=False, shuffle=False)
    tot, acc, n = 0.0, 0.0, 0
    for bi, batch in enumerate(plan.epoch(0)):
        qs, ps = draw_passages(groups, batch, cfg.train_group_size, cfg.seed, 0, bi)
        multiple = 8 if torch.device(device).type == "cuda" else 1
        q_ids, q_mask = pad(qs, device, multiple)
        p_ids, p_mask = pad(ps, device, multiple)
        with amp():
            q, p = model(q_ids, q_mask), model(p_ids, p_mask)
        loss, stats = loss_fn(q, p, q_ids, q_mask, p_ids, duplicate_mask(ps, cfg.train_group_size, device))
        tot += float(loss) * len(batch)
        acc += stats["accuracy"] * len(batch)
        n += len(batch)
    model.train(was)
    return {"val_loss": tot / n, "val_accuracy": acc / n}
