"""Tokenised training groups, the deterministic batch plan, and padding.

A group is one JSONL line `{"query": [ids], "pos": [[ids]..], "neg": [[ids]..], "source"?: str}` (ids include
<s> ... </s>). The batch plan of an epoch is a pure function of (seed, epoch), and the passages drawn for a group
are a pure function of (seed, epoch, batch, slot): so a data position is just (epoch, batch index), which is what a
checkpoint stores, and a resumed run sees exactly the batches the interrupted one would have seen.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from .events import TrainerError

PAD, EOS = 1, 2


@dataclass
class Group:
    query: List[int]
    pos: List[List[int]]
    neg: List[List[int]]
    source: str

    @property
    def length(self) -> int:  # the sort key for length grouping
        return len(self.query) + max(len(p) for p in self.pos + self.neg)


def _truncate(ids: List[int], n: int) -> List[int]:
    return ids if n <= 0 or len(ids) <= n else ids[: n - 1] + [EOS]


def _ids(v, where: str, vocab: int) -> List[int]:
    if not isinstance(v, list) or not v or not all(isinstance(i, int) and not isinstance(i, bool) for i in v):
        raise TrainerError(f"{where}: expected a non-empty list of token ids", "invalid_data")
    lo, hi = min(v), max(v)
    if lo < 0 or hi >= vocab:
        bad = lo if lo < 0 else hi
        raise TrainerError(f"{where}: token id {bad} out of range [0, {vocab})", "invalid_data")
    return v


def load_groups(paths: Sequence[str], vocab_size: int, max_query: int = 0, max_passage: int = 0) -> List[Group]:
    groups: List[Group] = []
    for path in paths:
        if not os.path.isfile(path):
            raise TrainerError(f"data file {path!r} not found", "invalid_data")
        default_source = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                where = f"{os.path.basename(path)}:{n}"
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    raise TrainerError(f"{where}: not a JSON object", "invalid_data")
                if not isinstance(obj, dict) or "query" not in obj or not obj.get("pos"):
                    raise TrainerError(f"{where}: a group needs 'query' and a non-empty 'pos'", "invalid_data")
                q = _truncate(_ids(obj["query"], where + " query", vocab_size), max_query)
                pos = [_truncate(_ids(p, where + " pos", vocab_size), max_passage) for p in obj["pos"]]
                neg = [_truncate(_ids(p, where + " neg", vocab_size), max_passage) for p in obj.get("neg") or []]
                groups.append(Group(q, pos, neg, str(obj.get("source") or default_source)))
    if not groups:
        raise TrainerError(f"the dataset {list(paths)} is empty", "empty_dataset")
    return groups


class BatchPlan:
    """Deterministic epoch -> list of batches (lists of group indices), per rank."""

    def __init__(self, groups: List[Group], batch_size: int, seed: int, group_by_length: bool = True,
                 same_source: bool = False, source_weights: Optional[Dict[str, float]] = None,
                 rank: int = 0, world: int = 1, shuffle: bool = True):
        self.groups, self.B, self.seed = groups, batch_size, seed
        self.group_by_length, self.same_source = group_by_length, same_source
        self.weights = source_weights or {}
        self.rank, self.world, self.shuffle = rank, world, shuffle
        self._cache: Dict[int, List[List[int]]] = {}

    def _by_source(self) -> Dict[str, List[int]]:
        out: Dict[str, List[int]] = {}
        for i, g in enumerate(self.groups):
            out.setdefault(g.source, []).append(i)
        return out

    def _weighted(self, idx: List[int], w: float, rng: np.random.Generator) -> List[int]:
        """Over/under-sample a source to round(w * n) groups."""
        n = int(round(w * len(idx)))
        reps, rest = divmod(n, len(idx))
        extra = rng.choice(len(idx), rest, replace=False) if rest else []
        return idx * reps + [idx[i] for i in extra]

    def _batches(self, idx: List[int], rng: np.random.Generator) -> List[List[int]]:
        if self.shuffle:
            idx = [idx[i] for i in rng.permutation(len(idx))]
        if self.group_by_length:  # sort inside mega-batches of 64 batches (HF's LengthGroupedSampler idea)
            mega = 64 * self.B
            idx = [i for s in range(0, len(idx), mega)
                   for i in sorted(idx[s:s + mega], key=lambda j: -self.groups[j].length)]
        return [idx[s:s + self.B] for s in range(0, len(idx), self.B)]

    def epoch(self, epoch: int) -> List[List[int]]:
        if epoch in self._cache:
            return self._cache[epoch]
        rng = np.random.default_rng([self.seed, epoch])
        sources = self._by_source()
        pools = {s: self._weighted(ix, self.weights.get(s, 1.0), rng) for s, ix in sorted(sources.items())}
        if self.same_source:
            batches = [b for s in sorted(pools) for b in self._batches(pools[s], rng)]
        else:
            batches = self._batches([i for s in sorted(pools) for i in pools[s]], rng)
        if len(batches) > 1 and len(batches[-1]) < self.B:  # keep batches full when there are several
            batches = batches[:-1]
        if self.shuffle:
            batches = [batches[i] for i in rng.permutation(len(batches))]
        if self.world > 1:  # equal count per rank
            n = len(batches) // self.world
            if n == 0:
                raise TrainerError("too few batches for the number of devices", "invalid_data")
            batches = batches[self.rank * n:(self.rank + 1) * n]
        self._cache = {epoch: batches}
        return batches


def draw_passages(groups: List[Group], batch: List[int], G: int, seed: int, epoch: int, bidx: int
                  ) -> Tuple[List[List[int]], List[List[int]]]:
    """Queries and group-major passages (pos first, then G-1 negatives) for one batch; deterministic."""
    queries, passages = [], []
    for slot, gi in enumerate(batch):
        g = groups[gi]
        rng = np.random.default_rng([seed, epoch, bidx, slot, gi])
        queries.append(g.query)
        passages.append(g.pos[int(rng.integers(len(g.pos)))])
        if G == 1:
            continue
        negs = g.neg
        if not negs:  # no hard negatives: positives of other groups
            draws = [int(j) for j in rng.integers(len(groups), size=G - 1)]
            negs = [groups[(j + 1) % len(groups) if j == gi else j].pos[0] for j in draws]
        pick = rng.choice(len(negs), G - 1, replace=len(negs) < G - 1)
        passages.extend(negs[int(i)] for i in pick)
    return queries, passages


def pad(seqs: List[List[int]], device=None, multiple: int = 1) -> Tuple[torch.Tensor, torch.Tensor]:
    """-> input_ids, attention_mask [B, L] (int64), right-padded with <pad>=1; L = max length rounded up to
    `multiple` (8 on CUDA: fewer distinct shapes, tensor-core friendly)."""
    n = -(-max(len(s) for s in seqs) // multiple) * multiple
    ids = torch.full((len(seqs), n), PAD, dtype=torch.long)
    mask = torch.zeros((len(seqs), n), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s, dtype=torch.long)
        mask[i, :len(s)] = 1
    return ids.to(device), mask.to(device)
