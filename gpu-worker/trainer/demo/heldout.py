"""nDCG@10 of a model folder's dense retrieval and of BM25 on the demo data's held-out rows, per language.

    cd gpu-worker && /usr/bin/python3 -m trainer.demo.heldout .cache/demo-model   (docs/demo.md quotes it)

Per language: the queries are the held-out rows' questions, the corpus their answers (duplicates are one
document), each query's one relevant document its own answer. The demo model never saw these rows (data.py).
"""
from __future__ import annotations

import json
import math
import sys
from typing import Dict, List

import torch

from . import data
from .bm25 import BM25


def ndcg10(ranked: List[int], relevant: int) -> float:
    """One relevant document: nDCG@10 = 1/log2(rank+1) when it is in the top 10 (ideal DCG is 1)."""
    top = ranked[:10]
    return 1 / math.log2(top.index(relevant) + 2) if relevant in top else 0.0


def top10(scores: List[float]) -> List[int]:
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:10]


@torch.no_grad()
def dense_vectors(model, sp, texts: List[str], max_len: int) -> torch.Tensor:
    out = []
    for i in range(0, len(texts), 32):
        ids = [[0] + sp.encode(t)[: max_len - 2] + [2] for t in texts[i:i + 32]]
        n = max(len(r) for r in ids)
        x = torch.full((len(ids), n), model.config.pad_token_id, dtype=torch.long)
        m = torch.zeros((len(ids), n), dtype=torch.long)
        for j, r in enumerate(ids):
            x[j, :len(r)] = torch.tensor(r)
            m[j, :len(r)] = 1
        out.append(model(x, m)["dense"])
    return torch.cat(out)


def evaluate(model_dir: str, root: str = data.DEMO_DATA) -> Dict[str, Dict[str, float]]:
    import os
    import sentencepiece as spm
    from ..model import load_model
    torch.set_num_threads(1)
    model = load_model(model_dir).eval()
    sp = spm.SentencePieceProcessor(model_file=os.path.join(model_dir, "spm.model"))
    res = {}
    for lang, rows in (("en", data.load_en(root)), ("zh", data.load_zh(root))):
        held = [r for r in rows if r.test]
        docs: Dict[str, int] = {}
        for r in held:
            docs.setdefault(r.passage, len(docs))
        corpus = list(docs)
        bm25 = BM25(corpus)
        d = dense_vectors(model, sp, corpus, 128)
        q = dense_vectors(model, sp, [r.query for r in held], 48)
        sims = (q @ d.T).tolist()
        res[lang] = {
            "queries": len(held), "documents": len(corpus),
            "dense_ndcg@10": round(sum(ndcg10(top10(s), docs[r.passage]) for s, r in zip(sims, held)) / len(held), 4),
            "bm25_ndcg@10": round(sum(ndcg10(top10(bm25.scores(r.query)), docs[r.passage]) for r in held) / len(held), 4),
        }
    return res


if __name__ == "__main__":
    print(json.dumps(evaluate(sys.argv[1]), indent=2))
