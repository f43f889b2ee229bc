"""Sparse (lexical) scores without a batch x length x vocabulary tensor.

BGE-M3's lexical weight of token id v in a text is max over its positions of relu(Linear(h)); special ids
(cls, eos, pad, unk) are dropped; score(q,p) = sum over ids in both of w_q(v) * w_p(v).
FlagEmbedding scatters into a [B, vocab] (and first a [B, L, vocab]) tensor: ~4 GB for 16 x 512 passages with a
250k vocabulary. Here ids are remapped to the K distinct ids that occur in this batch (K <= tokens in the batch),
so the memory is [B, K] and the result is identical (ids that occur nowhere score zero on both sides).
"""
from __future__ import annotations

from typing import Sequence

import torch

SPECIAL_IDS = (0, 1, 2, 3)  # <s>, <pad>, </s>, <unk> (XLM-R)


def lexical_matrix(inv: torch.Tensor, w: torch.Tensor, k: int) -> torch.Tensor:
    """inv [B,L] compact ids, w [B,L] weights -> [B,K] max weight per id."""
    out = torch.zeros(w.size(0), k, dtype=w.dtype, device=w.device)
    return out.scatter_reduce(1, inv, w, reduce="amax", include_self=True)


def sparse_scores(q_ids: torch.Tensor, q_w: torch.Tensor, p_ids: torch.Tensor, p_w: torch.Tensor,
                  temperature: float = 1.0, special_ids: Sequence[int] = SPECIAL_IDS) -> torch.Tensor:
    """q_ids/q_w [Q,Lq], p_ids/p_w [P,Lp] -> [Q,P] lexical scores / t."""
    special = torch.tensor(list(special_ids), device=q_ids.device)
    q_w = q_w * ~torch.isin(q_ids, special)
    p_w = p_w * ~torch.isin(p_ids, special)
    uniq, inv = torch.unique(torch.cat([q_ids.reshape(-1), p_ids.reshape(-1)]), return_inverse=True)
    nq = q_ids.numel()
    qv = lexical_matrix(inv[:nq].view_as(q_ids), q_w, uniq.numel())
    pv = lexical_matrix(inv[nq:].view_as(p_ids), p_w, uniq.numel())
    return (qv @ pv.T) / temperature
