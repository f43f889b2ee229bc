"""PyTorch CPU baseline for bench/encode: the same model folder (trainer's own XLM-R, fp32, eval mode,
no_grad) run on exactly the same padded batches the TypeScript side ran. Prints one JSON line.

Usage: /usr/bin/python3 bench/encode/torch_baseline.py MODEL_DIR BATCHES.json THREADS [REPS]
Reports the best of REPS timed passes (the machine may be shared).
BATCHES.json: {"pad_id": 1, "batches": [[[ids...], ...], ...]}
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "gpu-worker"))

import torch  # noqa: E402

from trainer.model import load_model  # noqa: E402


def pad(batch, pad_id):
    n = max(len(r) for r in batch)
    ids = torch.full((len(batch), n), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), n), dtype=torch.long)
    for i, r in enumerate(batch):
        ids[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = 1
    return ids, mask


def main():
    model_dir, batches_file = sys.argv[1], sys.argv[2]
    torch.set_num_threads(int(sys.argv[3]))
    spec = json.load(open(batches_file))
    model = load_model(model_dir).eval()
    tensors = [pad(b, spec["pad_id"]) for b in spec["batches"]]
    with torch.no_grad():
        model(*tensors[-1])  # warm-up
        times = []
        for _ in range(int(sys.argv[4]) if len(sys.argv) > 4 else 3):
            t0 = time.perf_counter()
            for ids, mask in tensors:
                model(ids, mask)
            times.append(time.perf_counter() - t0)
    print(json.dumps({"seconds": min(times), "all": times, "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
