"""The demo data sets (data/demo/ in the repository: a compact sample of the real data, see its README) as
(query, passage, group key) rows, and the held-out test split.

Split rule (documented in docs/CONTRACTS.md): a row is in the test split iff
int(sha1(key).hexdigest(), 16) % 10 == 0, with key = "en:" + focus (MedQuAD; questions are templated per focus,
so a whole focus is held out) or "zh:" + the answer text (Chinese dialogue; duplicate answers form one group).
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
from dataclasses import dataclass
from typing import List

# The sample shipped in the repository (a fresh clone has nothing else); M3_DEMO_DATA points at a folder of the
# same layout (e.g. the full data sets) instead.
DEMO_DATA = os.environ.get("M3_DEMO_DATA") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "..", "data", "demo"))
ZH = os.path.join("zh-medical-dialogue", "liver-digestive.gb18030.csv")
EN = os.path.join("medquad-en", "gard-ghr.jsonl")


@dataclass
class Row:
    id: str  # "en:<qid>" or "zh:<0-based data row>"
    lang: str
    query: str
    passage: str
    key: str  # split / group key

    @property
    def test(self) -> bool:
        return is_test(self.key)


def is_test(key: str) -> bool:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % 10 == 0


def clean(s: str) -> str:
    return " ".join((s or "").split())


def load_zh(root: str = DEMO_DATA) -> List[Row]:
    rows = []
    with open(os.path.join(root, ZH), encoding="gb18030", newline="") as f:
        for i, r in enumerate(csv.DictReader(f)):
            title, ask, ans = clean(r.get("title")), clean(r.get("ask")), clean(r.get("answer"))
            if not (title or ask) or not ans:
                continue
            q = title if not ask or ask == title else f"{title} {ask}"
            rows.append(Row(f"zh:{i}", "zh", q[:300], ans, "zh:" + ans))
    return rows


def load_en(root: str = DEMO_DATA) -> List[Row]:
    rows = []
    with open(os.path.join(root, EN), encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            o = json.loads(line)
            q, a = clean(o.get("question")), clean(o.get("answer"))
            if q and a:
                rows.append(Row(f"en:{o['qid']}", "en", q, a, "en:" + clean(o.get("focus")).lower()))
    return rows


def load_all(root: str = DEMO_DATA) -> List[Row]:
    return load_zh(root) + load_en(root)


def splits_json(rows: List[Row]) -> dict:
    test = [r for r in rows if r.test]
    return {
        "rule": "test iff int(sha1(key),16) % 10 == 0; key = 'en:'+lower(focus) | 'zh:'+answer (whitespace-collapsed)",
        "datasets": {"zh": ZH, "en": EN},
        "id_format": "en:<qid> | zh:<0-based CSV data row>",
        "counts": {"train": len(rows) - len(test), "test": len(test)},
        "test_ids": [r.id for r in test],
    }
