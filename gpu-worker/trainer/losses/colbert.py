"""ColBERT late-interaction scores (BGE-M3 semantics).

score(q,p) = (1 / n_q) * sum over query tokens i of max over passage tokens j of <c_q_i, c_p_j>, with c the
normalised colbert_linear vectors of every token but the first, padded rows zero, and n_q the query's real
token count minus one. As in FlagEmbedding, padded passage rows (zero vectors) take part in the max.
"""
from __future__ import annotations

import torch


def colbert_scores(q: torch.Tensor, q_mask: torch.Tensor, p: torch.Tensor, temperature: float = 1.0,
                   chunk: int = 64) -> torch.Tensor:
    """q [Q,Lq-1,H], q_mask [Q,Lq] (full mask), p [P,Lp-1,H] -> [Q,P] scores / t. Chunked over passages."""
    n_q = q_mask[:, 1:].sum(-1, keepdim=True).clamp(min=1).to(q.dtype)  # [Q,1]
    cols = []
    for s in range(0, p.size(0), chunk):
        tok = torch.einsum("qih,pjh->qpij", q, p[s:s + chunk])  # [Q,c,Lq-1,Lp-1]
        cols.append(tok.max(-1).values.sum(-1))  # [Q,c]
    return torch.cat(cols, 1) / n_q / temperature
