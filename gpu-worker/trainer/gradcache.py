"""One micro-batch: forward, loss, backward -- in one pass, or in chunks with cached gradients (GradCache).

GradCache (Gao et al. 2021; sentence-transformers' CachedMultipleNegativesRankingLoss): pass 1 encodes every
chunk of `sub_batch` sequences without a graph and remembers the RNG state before each chunk; the loss is taken on
the full batch of representations (so in-batch negatives and the effective batch are unchanged) and
back-propagated to the representations only; pass 2 re-encodes each chunk with its RNG state restored (same
dropout masks) and back-propagates the cached representation gradients through it. Same gradients as one big
forward pass, with activation memory bounded by one chunk.
"""
from __future__ import annotations

import math
from contextlib import contextmanager, nullcontext
from typing import Callable, Dict, List

import torch

from .losses import M3Loss


def rng_state():
    return (torch.get_rng_state(), torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None)


@contextmanager
def rng_fork(state):
    """Run with RNG state `state` (cpu, cuda) restored, leaving the outer RNG untouched."""
    outer = rng_state()
    torch.set_rng_state(state[0])
    if state[1] is not None:
        torch.cuda.set_rng_state_all(state[1])
    try:
        yield
    finally:
        torch.set_rng_state(outer[0])
        if outer[1] is not None:
            torch.cuda.set_rng_state_all(outer[1])


def cat_outputs(outs: List[Dict[str, torch.Tensor]]) -> Dict[str, torch.Tensor]:
    return {k: torch.cat([o[k] for o in outs], 0) for k in outs[0]}


class Stepper:
    """`stepper(q_ids, q_mask, p_ids, p_mask, scale, last, dup)` -> (loss, stats); gradients accumulate in .grad.

    `scale(loss)` is what is back-propagated (1/n micro-batches, the fp16 grad scaler). Under DDP, gradients are
    all-reduced only by the backward of the `last` micro-batch's last chunk (no_sync before it).
    """

    def __init__(self, model, loss_fn: M3Loss, amp, sub_batch: int, ddp=None):
        self.model, self.loss_fn, self.amp, self.sub, self.ddp = model, loss_fn, amp, sub_batch, ddp

    def _fwd(self, ids, mask):
        with self.amp():
            return self.model(ids, mask)

    def _sync(self, final: bool):
        return nullcontext() if final or self.ddp is None else self.ddp.no_sync()

    def __call__(self, q_ids, q_mask, p_ids, p_mask, scale: Callable, last: bool, dup=None):
        if self.sub <= 0:
            with self._sync(last):
                q, p = self._fwd(q_ids, q_mask), self._fwd(p_ids, p_mask)
                loss, stats = self.loss_fn(q, p, q_ids, q_mask, p_ids, dup)
                scale(loss).backward()
            return loss.detach(), stats
        # pass 1: representations without a graph, remembering each chunk's RNG state
        chunks, reps, states = [], [], []
        for ids, mask in ((q_ids, q_mask), (p_ids, p_mask)):
            for s in range(0, ids.size(0), self.sub):
                chunks.append((ids[s:s + self.sub], mask[s:s + self.sub]))
                states.append(rng_state())
                with torch.no_grad():
                    reps.append(self._fwd(*chunks[-1]))
        nq = math.ceil(q_ids.size(0) / self.sub)
        q = {k: v.detach().requires_grad_() for k, v in cat_outputs(reps[:nq]).items()}
        p = {k: v.detach().requires_grad_() for k, v in cat_outputs(reps[nq:]).items()}
        loss, stats = self.loss_fn(q, p, q_ids, q_mask, p_ids, dup)
        scale(loss).backward()  # gradients w.r.t. the representations only
        # pass 2: re-encode each chunk with its RNG state and push the cached gradients through it
        offsets = {"q": 0, "p": 0}
        for i, ((ids, mask), st) in enumerate(zip(chunks, states)):
            side, src = ("q", q) if i < nq else ("p", p)
            o, n = offsets[side], ids.size(0)
            offsets[side] += n
            with rng_fork(st), self._sync(last and i == len(chunks) - 1):
                out = self._fwd(ids, mask)
                terms = [(out[k] * src[k].grad[o:o + n]).sum() for k in out if src[k].grad is not None]
                if terms:
                    torch.stack(terms).sum().backward()
        return loss.detach(), stats
