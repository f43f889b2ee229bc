"""Build the demo model from the demo data shipped in data/demo/ only (scripts/build-demo-model.sh).

1. rows from both data sets, the held-out test split (data.py) -> splits.json
2. SentencePiece unigram (8k, XLM-R ids) on train-split texts -> spm.model + tokenizer.json
3. a tiny random XLM-R (hidden 128, 2 layers) and brief contrastive pre-training with this package's own trainer
   (unified dense+sparse+ColBERT, in-batch negatives, question -> its own answer), so the base model retrieves
   better than chance but leaves room for fine-tuning
4. onnx/model.onnx with the parity check; heldout.json: dense vs BM25 nDCG@10 on the held-out rows (heldout.py); `.stamp` = hash of the builder sources (skip when unchanged)
Deterministic: fixed seeds, one torch thread, sorted inputs.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(HERE)

CONFIG = dict(vocab_size=8000, hidden_size=128, num_hidden_layers=2, num_attention_heads=4, intermediate_size=512,
              max_position_embeddings=130, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
# max_length 128 (positions 2..129): every position is seen in pre-training, so the demo never encodes with
# untrained position embeddings; the platform truncates to m3studio.json's max_length.
PRETRAIN = dict(mode="unified", train_group_size=1, batch_size=32, max_steps=int(os.environ.get("M3_DEMO_STEPS", "900")),
                learning_rate=1e-3, warmup_ratio=0.05, temperature=0.05, max_query_length=48, max_passage_length=128,
                weight_decay=0.01, seed=0, device="cpu", log_steps=25, self_distill=True, group_by_length=True,
                same_source_within_batch=True)


def source_hash() -> str:
    h = hashlib.sha256()
    files = [os.path.join(HERE, f) for f in sorted(os.listdir(HERE)) if f.endswith(".py")]
    files += [os.path.join(PKG, f) for f in ("model.py", "train.py", "data.py", "config.py", "export.py",
                                              "safetensors_io.py", "lora.py", "checkpoint.py")]
    files += [os.path.join(PKG, "losses", f) for f in sorted(os.listdir(os.path.join(PKG, "losses"))) if f.endswith(".py")]
    from . import data
    files += [os.path.join(data.DEMO_DATA, data.ZH), os.path.join(data.DEMO_DATA, data.EN)]  # a re-cut rebuilds
    for f in files:
        h.update(os.path.relpath(f, PKG).encode())
        with open(f, "rb") as fh:
            h.update(fh.read())
    h.update(json.dumps([CONFIG, PRETRAIN], sort_keys=True).encode())
    return h.hexdigest()[:16]


def log(msg: str) -> None:
    sys.stderr.write(f"[demo-model] {msg}\n")
    sys.stderr.flush()


def tokenised_groups(rows, sp, path: str, max_q: int, max_p: int) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            q = [0] + sp.encode(r.query)[: max_q - 2] + [2]
            p = [0] + sp.encode(r.passage)[: max_p - 2] + [2]
            f.write(json.dumps({"query": q, "pos": [p], "neg": [], "source": r.lang}) + "\n")
            n += 1
    return n


def build(out_dir: str, force: bool = False) -> str:
    """Build under an exclusive lock (`OUT_DIR.lock`): a concurrent caller waits, then finds the stamp current."""
    import fcntl
    os.makedirs(os.path.dirname(os.path.abspath(out_dir)), exist_ok=True)
    with open(os.path.abspath(out_dir) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build(out_dir, force)


def _build(out_dir: str, force: bool = False) -> str:
    import glob
    import sentencepiece as spm

    from ..config import parse_config
    from ..export import export_folder
    from ..model import M3Model, XLMRConfig, save_model
    from ..train import run
    from . import data, tokenizer

    stamp = source_hash()
    stamp_file = os.path.join(out_dir, ".stamp")
    if not force and os.path.isfile(stamp_file) and open(stamp_file).read().strip() == stamp \
            and os.path.isfile(os.path.join(out_dir, "onnx", "model.onnx")):
        log(f"up to date ({out_dir}, stamp {stamp})")
        return out_dir
    t0 = time.time()
    torch.set_num_threads(1)  # 2 threads spin-wait badly when the 2 cores are shared (seen: 6x slower)
    torch.manual_seed(0)
    parent = os.path.dirname(os.path.abspath(out_dir))
    prefix = f".{os.path.basename(os.path.abspath(out_dir))}.build-"
    for stale in glob.glob(os.path.join(parent, prefix + "*")):  # left by a killed build (we hold the lock)
        shutil.rmtree(stale, ignore_errors=True)
    work = tempfile.mkdtemp(prefix=prefix, dir=parent)
    try:
        rows = data.load_all()
        train_rows = [r for r in rows if not r.test]
        test_rows = [r for r in rows if r.test]
        log(f"{len(rows)} rows, {len(test_rows)} held out; training the tokenizer")
        model_dir = os.path.join(work, "model")
        os.makedirs(model_dir)
        with open(os.path.join(model_dir, "splits.json"), "w", encoding="utf-8") as f:
            json.dump(data.splits_json(rows), f)
        texts = sorted({t for r in train_rows for t in (r.query, r.passage[:2000])})
        sp_file = tokenizer.train_spm(texts, os.path.join(work, "spm"), CONFIG["vocab_size"])
        shutil.copyfile(sp_file, os.path.join(model_dir, "spm.model"))
        tokenizer.write_tokenizer_files(sp_file, model_dir, CONFIG["max_position_embeddings"] - 2)
        sp = spm.SentencePieceProcessor(model_file=sp_file)
        log(f"tokenizer done ({time.time() - t0:.0f}s); tokenising")
        train_file, val_file = os.path.join(work, "train.jsonl"), os.path.join(work, "val.jsonl")
        tokenised_groups(train_rows, sp, train_file, PRETRAIN["max_query_length"], PRETRAIN["max_passage_length"])
        val = [r for i, r in enumerate(test_rows) if i % 4 == 0][:512]
        tokenised_groups(val, sp, val_file, PRETRAIN["max_query_length"], PRETRAIN["max_passage_length"])
        # random init (seeded), then contrastive pre-training with the trainer itself
        init_dir = os.path.join(work, "init")
        os.makedirs(init_dir)
        torch.manual_seed(0)
        save_model(M3Model(XLMRConfig(**CONFIG)), init_dir)
        cfg = parse_config(json.dumps({**PRETRAIN, "model": init_dir, "output_dir": os.path.join(work, "run"),
                                       "train_data": [train_file], "val_data": val_file, "keep_last": 1}))
        log(f"pre-training {PRETRAIN['max_steps']} steps")
        evals = []
        with contextlib.redirect_stdout(sys.stderr):
            from .. import events
            orig = events.emit

            def tap(event, **kw):
                if event == "eval":
                    evals.append(kw)
                orig(event, **kw)
            import importlib
            train_mod = importlib.import_module("trainer.train")
            train_mod.emit = tap
            try:
                rc = run(cfg)
            finally:
                train_mod.emit = orig
        if rc != 0:
            raise RuntimeError(f"pre-training exited {rc}")
        trained = os.path.join(work, "run", "model")
        for f in os.listdir(model_dir):
            shutil.copyfile(os.path.join(model_dir, f), os.path.join(trained, f))
        from ..model import load_model
        m = load_model(trained)
        save_model(m, trained, {"lineage": {"demo": True, "built_from": ["zh-medical-dialogue", "medquad-en"],
                                            "pretrain": PRETRAIN, "held_out_eval": evals[-1] if evals else None,
                                            "stamp": stamp}})
        res = export_folder(trained)
        log(f"onnx export: {json.dumps(res['parity'])}")
        if not res["ok"]:
            raise RuntimeError(f"ONNX parity failed: {res['parity']}")
        # What the model is worth, kept with it: the demo workspace shows these figures (docs/demo.md quotes them).
        from .heldout import evaluate
        log("measuring held-out nDCG@10 (dense vs BM25)")
        with open(os.path.join(trained, "heldout.json"), "w", encoding="utf-8") as f:
            json.dump({"stamp": stamp, "languages": evaluate(trained)}, f, indent=2)
        with open(os.path.join(trained, ".stamp"), "w") as f:
            f.write(stamp + "\n")
        if os.path.isdir(out_dir):
            shutil.rmtree(out_dir)
        os.rename(trained, out_dir)
        log(f"built {out_dir} in {time.time() - t0:.0f}s; held-out eval {evals[-1] if evals else None}")
        return out_dir
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv) -> int:
    out = argv[0] if argv else os.path.join(PKG, "..", "..", ".cache", "demo-model")
    build(os.path.abspath(out), force="--force" in argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
