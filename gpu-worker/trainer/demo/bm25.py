"""Okapi BM25 (k1=1.2, b=0.75): the keyword baseline the demo model is measured against (docs/demo.md).

Tokens: Chinese by character bigrams (a lone CJK character when a run has one), everything else lowercase
word tokens (letters and digits). Standard library only.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from typing import Dict, List, Sequence

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def tokens(text: str) -> List[str]:
    out: List[str] = []
    rest = _CJK_RUN.sub(" ", text)
    for run in _CJK_RUN.findall(text):
        out += [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]
    out += [w.lower() for w in _WORD.findall(rest)]
    return out


class BM25:
    def __init__(self, docs: Sequence[str], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.tf = [Counter(tokens(d)) for d in docs]
        self.len = [sum(c.values()) for c in self.tf]
        self.avg = (sum(self.len) / len(self.len)) if self.len else 0.0
        df: Counter = Counter()
        for c in self.tf:
            df.update(c.keys())
        n = len(docs)
        self.idf: Dict[str, float] = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, query: str) -> List[float]:
        q = tokens(query)
        out = []
        for tf, L in zip(self.tf, self.len):
            s = 0.0
            norm = self.k1 * (1 - self.b + self.b * L / self.avg) if self.avg else self.k1
            for t in q:
                f = tf.get(t)
                if f:
                    s += self.idf[t] * f * (self.k1 + 1) / (f + norm)
            out.append(s)
        return out
