"""Python side of the tokenizer parity check: SentencePiece ids of sample sentences (gpu-worker/trainer/
tokenizer-parity.test.ts compares them with @huggingface/tokenizers on the demo tokenizer.json)."""
from __future__ import annotations

import csv
import json
import os
import re
import sys
from typing import List

from . import data


def sample_sentences(n: int) -> List[str]:
    """n/2 Chinese + n/2 English texts, raw (unnormalised) from the files, chosen by a fixed stride."""
    zh: List[str] = []
    with open(os.path.join(data.DEMO_DATA, data.ZH), encoding="gb18030", newline="") as f:
        for i, r in enumerate(csv.DictReader(f)):
            field = ("title", "ask", "answer")[i % 3]
            t = (r.get(field) or "")
            if field == "answer":  # a sentence or two, not whole answers
                t = re.split(r"(?<=[。！？])", t)[0]
            if t.strip():
                zh.append(t[:400])
    en: List[str] = []
    with open(os.path.join(data.DEMO_DATA, data.EN), encoding="utf-8") as f:
        for i, line in enumerate(f):
            o = json.loads(line)
            t = o["question"] if i % 2 == 0 else re.split(r"(?<=[.!?])\s", o["answer"])[0]
            if t.strip():
                en.append(t[:400])
    k = n // 2
    pick = lambda xs, m: [xs[(j * len(xs)) // m] for j in range(m)]  # noqa: E731
    return pick(zh, k) + pick(en, n - k)


def sp_ids(model_dir: str, sample: int = 0, out=sys.stdout) -> int:
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=os.path.join(model_dir, "spm.model"))
    texts = sample_sentences(sample) if sample else [json.loads(l) for l in sys.stdin if l.strip()]
    for t in texts:
        out.write(json.dumps({"text": t, "ids": [0] + sp.encode(t) + [2]}, ensure_ascii=False) + "\n")
    return 0
