"""Dense InfoNCE (a.k.a. MultipleNegativesRankingLoss with hard negatives).

loss = mean_i CE(softmax_j(<q_i, p_j> / t), target_i) with L2-normalised CLS vectors. With `in_batch=False` each
query sees only its own group. Under DDP, `gather_passages` adds the other ranks' passages as extra negatives
(cross-device negatives) while keeping the gradient of the local ones.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def dense_scores(q: torch.Tensor, p: torch.Tensor, temperature: float) -> torch.Tensor:
    """q [Q,H], p [P,H] (normalised) -> [Q,P] cosine / t."""
    return (q @ p.T) / temperature


def group_view(scores: torch.Tensor, group_size: int) -> torch.Tensor:
    """[Q,P] in-batch scores -> [Q,G] scores of each query's own group."""
    Q = scores.size(0)
    idx = torch.arange(Q, device=scores.device)[:, None] * group_size + torch.arange(group_size, device=scores.device)
    return scores.gather(1, idx)


def targets(Q: int, group_size: int, in_batch: bool, device, offset: int = 0) -> torch.Tensor:
    t = torch.arange(Q, device=device) * group_size + offset
    return t if in_batch else torch.zeros(Q, dtype=torch.long, device=device)


def info_nce(scores: torch.Tensor, group_size: int, in_batch: bool = True, offset: int = 0) -> torch.Tensor:
    """Cross-entropy of [Q,P] scores against the positives; `offset` shifts targets (this rank's slice)."""
    if not in_batch:
        scores = group_view(scores[:, offset:], group_size)
    return F.cross_entropy(scores, targets(scores.size(0), group_size, in_batch, scores.device, offset))


def gather_passages(p: torch.Tensor):
    """All ranks' passages [world*P,H] and the offset of this rank's slice. The gather is differentiable
    (torch.distributed.nn): a query's gradient reaches the passages of every rank, so with DDP's gradient
    averaging the step equals one process holding the union of the batches (as sentence-transformers' gather)."""
    import torch.distributed as dist
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return p, 0
    from torch.distributed.nn.functional import all_gather
    parts = list(all_gather(p.contiguous()))
    return torch.cat(parts, 0), dist.get_rank() * p.size(0)
