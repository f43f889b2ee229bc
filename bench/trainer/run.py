"""Trainer benchmarks on CPU (Debian torch): run on demand, prints ratios, writes bench/results/trainer.md.

A. length grouping: samples/s and padded-token share with and without `group_by_length` (same data, steps, seed)
B. GradCache: peak memory with and without `sub_batch_size` at the same effective batch (unified loss)

Data: real (query, answer) pairs of ../shared/data tokenised with the demo tokenizer (spm.model), passages up to
256 tokens; model: a random XLM-R of the demo's width (128 x 2 layers, 8k vocab, 514 positions).
Usage: /usr/bin/python3 bench/trainer/run.py [--quick]
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "gpu-worker"))
PY = sys.executable
QUICK = "--quick" in sys.argv


def child(cfg_json: str) -> None:
    """Run one training config in this process; print peak RSS before/after training and the step events."""
    import contextlib
    import io

    import torch
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "2")))
    from trainer.config import parse_config
    from trainer.train import run
    import trainer.train as T
    cfg = parse_config(cfg_json)
    rss0 = [0]
    orig = T.build_model

    def build(c, d):
        m = orig(c, d)
        rss0[0] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return m
    T.build_model = build
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        run(cfg)
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    steps = [json.loads(l) for l in buf.getvalue().splitlines() if '"step"' in l and l.startswith('{"event": "step"')]
    print(json.dumps({"rss_before_kb": rss0[0], "rss_peak_kb": rss1, "steps": steps}))


def run_child(cfg: dict) -> dict:
    r = subprocess.run([PY, __file__, "--child", json.dumps(cfg)], capture_output=True, text=True, timeout=1800)
    if r.returncode != 0:
        raise RuntimeError(r.stderr[-2000:])
    return json.loads(r.stdout.strip().splitlines()[-1])


def make_inputs(work: str, n: int) -> tuple:
    import sentencepiece as spm
    import torch
    from trainer.demo import data
    from trainer.model import M3Model, XLMRConfig, save_model
    demo = os.path.join(ROOT, ".cache", "demo-model", "spm.model")
    if not os.path.isfile(demo):
        subprocess.run(["bash", os.path.join(ROOT, "scripts", "build-demo-model.sh")], check=True)
    sp = spm.SentencePieceProcessor(model_file=demo)
    rows = [r for r in data.load_all() if not r.test]
    rows = rows[:: max(1, len(rows) // n)][:n]
    path = os.path.join(work, "train.jsonl")
    cut = lambda ids, k: ids if len(ids) <= k else ids[:k - 1] + [2]  # noqa: E731
    ps = [cut([0] + sp.encode(r.passage) + [2], 256) for r in rows]
    with open(path, "w") as f:
        for i, r in enumerate(rows):
            negs = [ps[(i + 7 + 131 * k) % len(ps)] for k in range(3)]
            f.write(json.dumps({"query": cut([0] + sp.encode(r.query) + [2], 64), "pos": [ps[i]], "neg": negs,
                                "source": r.lang}) + "\n")
    torch.manual_seed(0)
    model = os.path.join(work, "model")
    os.makedirs(model)
    save_model(M3Model(XLMRConfig(vocab_size=8000, hidden_size=128, num_hidden_layers=2, num_attention_heads=4,
                                  intermediate_size=512, max_position_embeddings=514)), model)
    return model, path


def padded_share(data_path: str, cfg: dict) -> float:
    """Replay the trainer's deterministic plan for the timed steps and count pad tokens among all positions."""
    from trainer.data import BatchPlan, draw_passages, load_groups
    groups = load_groups([data_path], 8000)
    plan = BatchPlan(groups, cfg["batch_size"], cfg["seed"], cfg["group_by_length"])
    real = total = 0
    for bi, batch in enumerate(plan.epoch(0)[: cfg["max_steps"]]):
        qs, ps = draw_passages(groups, batch, cfg["train_group_size"], cfg["seed"], 0, bi)
        for seqs in (qs, ps):
            real += sum(len(s) for s in seqs)
            total += max(len(s) for s in seqs) * len(seqs)
    return 1 - real / total


def rate(res: dict, warm: int = 2) -> float:
    st = res["steps"][warm:]
    return sum(1 for _ in st) / sum(1 / e["samples_per_s"] for e in st) if st else float("nan")


def main() -> None:
    work = tempfile.mkdtemp(prefix="bench-trainer-")
    model, data = make_inputs(work, 1024 if QUICK else 4096)
    base = {"model": model, "train_data": [data], "mode": "dense", "batch_size": 16, "train_group_size": 4,
            "max_steps": 8 if QUICK else 24, "device": "cpu", "seed": 1, "log_steps": 1, "learning_rate": 1e-4,
            "temperature": 0.05}
    lines = []
    say = lambda s: (print(s, flush=True), lines.append(s))  # noqa: E731
    t0 = time.time()
    res = {}
    for glen in (False, True):
        cfg = {**base, "output_dir": os.path.join(work, f"glen-{glen}"), "group_by_length": glen}
        r = run_child(cfg)
        res[glen] = {"samples_per_s": rate(r), "padded_share": padded_share(data, cfg)}
    say("## A. Length grouping (dense, 16 queries x 4 passages, passages <= 256 tokens, "
        f"{base['max_steps']} steps, first 2 not timed)\n")
    say("| group_by_length | samples/s | padded-token share |")
    say("| --- | --- | --- |")
    for glen in (False, True):
        say(f"| {glen} | {res[glen]['samples_per_s']:.1f} | {res[glen]['padded_share']:.1%} |")
    say(f"\nratio on/off: samples/s **{res[True]['samples_per_s'] / res[False]['samples_per_s']:.2f}x**, "
        f"padded share **{res[True]['padded_share'] / res[False]['padded_share']:.2f}x**\n")
    mem = {}
    eff = {**base, "mode": "unified", "batch_size": 32, "train_group_size": 4, "max_steps": 3 if QUICK else 4,
           "group_by_length": False, "dropout": 0.0}  # no dropout: both runs must give the same loss
    for sub in (0, 16):
        cfg = {**eff, "output_dir": os.path.join(work, f"sub-{sub}"), "sub_batch_size": sub}
        r = run_child(cfg)
        mem[sub] = {"peak_mb": r["rss_peak_kb"] / 1024, "train_mb": (r["rss_peak_kb"] - r["rss_before_kb"]) / 1024,
                    "samples_per_s": rate(r, 1), "loss": r["steps"][0]["loss"]}
    say("## B. Sub-batching with cached gradients (unified loss, effective batch 32 queries x 4 passages = 160 "
        "sequences, passages <= 256 tokens)\n")
    say("| sub_batch_size | peak RSS MB | RSS growth during training MB | samples/s | first-step loss |")
    say("| --- | --- | --- | --- | --- |")
    for sub in (0, 16):
        m = mem[sub]
        say(f"| {sub or 'off'} | {m['peak_mb']:.0f} | {m['train_mb']:.0f} | {m['samples_per_s']:.1f} | {m['loss']:.6f} |")
    say(f"\nratio with/without: training memory **{mem[16]['train_mb'] / mem[0]['train_mb']:.2f}x**, peak RSS "
        f"**{mem[16]['peak_mb'] / mem[0]['peak_mb']:.2f}x**, samples/s **{mem[16]['samples_per_s'] / mem[0]['samples_per_s']:.2f}x** "
        "(same effective batch, same first-step loss)\n")
    say(f"_total bench time {time.time() - t0:.0f}s, torch threads {os.environ.get('BENCH_THREADS', '2')}_")
    out = os.path.join(ROOT, "bench", "results", "trainer.md")
    if not QUICK:
        with open(out, "w") as f:
            f.write("# Trainer benchmarks (CPU, Debian python3-torch 1.13, 2 shared cores)\n\n"
                    "`/usr/bin/python3 bench/trainer/run.py` (GPU figures: `trainer-gpu.md`). Machine shared with "
                    "other work: absolute rates are noisy, ratios less so.\n\n" + "\n".join(lines) + "\n")
        print(f"wrote {out}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
