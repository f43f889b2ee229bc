"""bench/full-size download phase, the Python half: does the extracted checkpoint download load, and give the
checkpoint's outputs? (bench/full-size/phase.ts `download` writes and extracts the tar, then runs this.)

  /usr/bin/python3 bench/full-size/download_check.py CHECKPOINT_DIR EXTRACTED_DIR < ids.json

stdin: a JSON list of token-id lists (the product's tokenizer, from the extracted folder's tokenizer.json).
Loads each folder with the trainer's own loader (trainer.model.load_model) one after the other (two 2.3 GB models
at once would double the peak) and compares dense / sparse / ColBERT; then, when python3 has transformers, loads the
extracted folder with transformers' XLMRobertaModel plus the two heads as FlagEmbedding's BGEM3FlagModel does (CLS
of last_hidden_state, relu(sparse_linear), colbert_linear on tokens 1:) and compares that too. Prints one JSON line.
"""
import gc
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "gpu-worker"))

import torch  # noqa: E402

from trainer.model import load_model  # noqa: E402


def batch(ids):
    width = max(len(x) for x in ids)
    input_ids = torch.tensor([x + [1] * (width - len(x)) for x in ids])  # <pad> 1
    return input_ids, (input_ids != 1).long()


def outputs_of_trainer(folder, input_ids, mask):
    t0 = time.time()
    model = load_model(folder).eval()
    load_s = time.time() - t0
    with torch.no_grad():
        out = {k: v.double() for k, v in model(input_ids, mask).items()}
    del model
    gc.collect()
    return out, load_s


def outputs_of_transformers(folder, input_ids, mask):
    """BGEM3FlagModel's way: XLMRobertaModel + colbert_linear.pt + sparse_linear.pt from the same folder."""
    from transformers import XLMRobertaModel
    t0 = time.time()
    enc = XLMRobertaModel.from_pretrained(folder).eval()
    hidden = enc.config.hidden_size
    colbert, sparse = torch.nn.Linear(hidden, hidden), torch.nn.Linear(hidden, 1)
    colbert.load_state_dict(torch.load(os.path.join(folder, "colbert_linear.pt"), map_location="cpu"))
    sparse.load_state_dict(torch.load(os.path.join(folder, "sparse_linear.pt"), map_location="cpu"))
    load_s = time.time() - t0
    with torch.no_grad():
        h = enc(input_ids=input_ids, attention_mask=mask).last_hidden_state
        dense = torch.nn.functional.normalize(h[:, 0], dim=-1)
        sp = torch.relu(sparse(h)).squeeze(-1)
        cb = torch.nn.functional.normalize(colbert(h[:, 1:]) * mask[:, 1:, None], dim=-1)
    return {"dense": dense.double(), "sparse": sp.double(), "colbert": cb.double()}, load_s


def diff(a, b, mask):
    keep = mask.bool()
    return {"dense": float((a["dense"] - b["dense"]).abs().max()),
            "sparse": float(((a["sparse"] - b["sparse"]) * keep).abs().max()),
            "colbert": float(((a["colbert"] - b["colbert"]) * keep[:, 1:, None]).abs().max())}


def main():
    ckpt, extracted = sys.argv[1], sys.argv[2]
    torch.manual_seed(0)
    input_ids, mask = batch(json.load(sys.stdin))
    ref, ref_load = outputs_of_trainer(ckpt, input_ids, mask)
    got, got_load = outputs_of_trainer(extracted, input_ids, mask)
    pieces = mask.bool() & (input_ids > 3)  # what sparse output keeps: no <s>, </s>, <unk>, padding
    res = {"texts": int(input_ids.shape[0]), "tokens": int(mask.sum()),
           "trainerLoader": {"loadS": round(got_load, 1), "checkpointLoadS": round(ref_load, 1),
                             "maxAbsDiff": diff(ref, got, mask)},
           "sparseNonZero": int(((ref["sparse"] > 0) & pieces).sum()),
           "sparseTokens": int(pieces.sum())}
    try:
        import transformers
        hf, hf_load = outputs_of_transformers(extracted, input_ids, mask)
        res["transformers"] = {"version": transformers.__version__, "loadS": round(hf_load, 1),
                               "maxAbsDiff": diff(ref, hf, mask)}
    except ImportError as e:
        res["transformers"] = {"skipped": f"python3 has no transformers ({e})"}
    print(json.dumps(res))


if __name__ == "__main__":
    main()
