"""The BGE-M3 unified loss with self-distillation (FlagEmbedding v1.x, `unified_finetuning` + `use_self_distill`).

With s_d, s_s, s_c the dense / sparse / ColBERT score matrices (each / temperature) and
s_e = w_d*s_d + w_s*s_s + w_c*s_c (default 1, 0.3, 1) the ensemble:

    L     = (CE(s_d) + CE(s_e) + 0.1*CE(s_s) + CE(s_c)) / 4
    p_t   = softmax(s_e).detach()                              (the ensemble teaches each head)
    L_kd  = (H(p_t, s_d) + 0.1*H(p_t, s_s) + H(p_t, s_c)) / 3  with H(p,s) = -mean_i sum_j p_ij log softmax(s)_ij
    loss  = (L + L_kd) / 2        (or L when self-distillation is off)

Mode "dense" uses CE(s_d) alone (the sparse/ColBERT heads are not trained and are saved unchanged).
Also returns in-batch accuracy of the dense scores (argmax == positive).

`dup` [Q,P] (optional) marks passages identical to query i's positive other than the positive itself (another
query's positive or hard negative that happens to be the same text): they are false negatives, so they are masked
out of every score matrix (FlagEmbedding and MNRL count them as negatives).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F

from .colbert import colbert_scores
from .dense import dense_scores, gather_passages, group_view, info_nce
from .sparse import sparse_scores


@dataclass
class M3Loss:
    mode: str = "unified"  # dense | unified | heads
    temperature: float = 0.02
    group_size: int = 8
    in_batch: bool = True
    cross_device: bool = True
    self_distill: bool = True
    dense_weight: float = 1.0
    sparse_weight: float = 0.3
    colbert_weight: float = 1.0

    def _ce(self, s: torch.Tensor) -> torch.Tensor:
        return info_nce(s, self.group_size, self.in_batch)

    def _kd(self, teacher: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        if not self.in_batch:
            s = group_view(s, self.group_size)
        return -(teacher * F.log_softmax(s, dim=-1)).sum(-1).mean()

    def __call__(self, q: Dict[str, torch.Tensor], p: Dict[str, torch.Tensor], q_ids: torch.Tensor,
                 q_mask: torch.Tensor, p_ids: torch.Tensor, dup: Optional[torch.Tensor] = None
                 ) -> Tuple[torch.Tensor, Dict[str, float]]:
        """q/p: model outputs (dense [B,H], sparse [B,S], colbert [B,S-1,H]); ids/mask [B,S]; dup [Q,P] bool."""
        t = self.temperature
        mask = (lambda s: s.masked_fill(dup, -1e4)) if dup is not None and bool(dup.any()) else (lambda s: s)
        s_d = mask(dense_scores(q["dense"], p["dense"], t))  # [Q,P]
        if self.cross_device and self.in_batch:  # other ranks' passages as extra negatives (DDP)
            p_all, off = gather_passages(p["dense"])
            s_all = s_d
            if p_all.size(0) != p["dense"].size(0):
                s_rest = dense_scores(q["dense"], p_all, t)
                s_all = torch.cat([s_rest[:, :off], s_d, s_rest[:, off + s_d.size(1):]], 1)
            l_dense = info_nce(s_all, self.group_size, True, off)
        else:
            l_dense = self._ce(s_d)
        stats = {"loss_dense": float(l_dense.detach()), "accuracy": _accuracy(s_d, self.group_size, self.in_batch)}
        if self.mode == "dense":
            return l_dense, stats
        s_s = mask(sparse_scores(q_ids, q["sparse"], p_ids, p["sparse"], t))
        s_c = mask(colbert_scores(q["colbert"], q_mask, p["colbert"], t))
        s_e = self.dense_weight * s_d + self.sparse_weight * s_s + self.colbert_weight * s_c
        l_s, l_c, l_e = self._ce(s_s), self._ce(s_c), self._ce(s_e)
        loss = (l_dense + l_e + 0.1 * l_s + l_c) / 4
        if self.self_distill:
            teacher = torch.softmax((s_e if self.in_batch else group_view(s_e, self.group_size)).detach(), dim=-1)
            kd = (self._kd(teacher, s_d) + 0.1 * self._kd(teacher, s_s) + self._kd(teacher, s_c)) / 3
            loss = (loss + kd) / 2
        stats.update(loss_sparse=float(l_s.detach()), loss_colbert=float(l_c.detach()), loss_ensemble=float(l_e.detach()))
        return loss, stats


def _accuracy(s: torch.Tensor, G: int, in_batch: bool) -> float:
    if not in_batch:
        return float((group_view(s, G).argmax(-1) == 0).float().mean())
    return float((s.argmax(-1) == torch.arange(s.size(0), device=s.device) * G).float().mean())
