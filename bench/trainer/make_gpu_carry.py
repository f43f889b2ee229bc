"""Prepare .cache/gpu-carry/ for bench/trainer/gpu/run_gpu.py: the demo tokenizer files and 8,192 train-split
(query, passage) text pairs from ../shared/data (the device machine cannot see ../shared)."""
import json
import os
import shutil
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "gpu-worker"))
from trainer.demo import data  # noqa: E402

model = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".cache", "demo-model")
out = os.path.join(ROOT, ".cache", "gpu-carry")
os.makedirs(out, exist_ok=True)
for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
    shutil.copyfile(os.path.join(model, f), os.path.join(out, f))
shutil.rmtree(os.path.join(out, "demo-model"), ignore_errors=True)
shutil.copytree(model, os.path.join(out, "demo-model"), ignore=shutil.ignore_patterns("onnx", "spm.model", "splits.json"))
everything = data.load_all()
test = [r for r in everything if r.test]
with open(os.path.join(out, "test_pairs.jsonl"), "w", encoding="utf-8") as f:
    for r in test[:: max(1, len(test) // 512)][:512]:
        f.write(json.dumps({"query": r.query, "passage": r.passage[:1500], "lang": r.lang}, ensure_ascii=False) + "\n")
rows = [r for r in everything if not r.test]
step = max(1, len(rows) // 8192)
with open(os.path.join(out, "pairs.jsonl"), "w", encoding="utf-8") as f:
    for r in rows[::step][:8192]:
        f.write(json.dumps({"query": r.query, "passage": r.passage[:1500], "lang": r.lang}, ensure_ascii=False) + "\n")
print(out)
