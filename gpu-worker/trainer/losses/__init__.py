"""Contrastive losses for BGE-M3, one per file. Conventions shared by all of them:

- `Q` queries, each with a group of `G` passages (index 0 the positive, then hard negatives); passages are laid out
  group-major, so passage `i*G` is the positive of query `i` and `P = Q*G`.
- Scores are already divided by the temperature; `targets[i] = i*G` (in-batch negatives: every query is scored
  against all `P` passages of the batch) or `0` (scored only against its own group).
"""
from .dense import dense_scores, info_nce  # noqa: F401
from .sparse import sparse_scores  # noqa: F401
from .colbert import colbert_scores  # noqa: F401
from .m3 import M3Loss  # noqa: F401
