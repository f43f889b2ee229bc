"""GPU checks for the trainer (one script, one device call). Writes $OUT/gpu-results.json (+ logs).

1. encoder parity: our XLM-R vs transformers' XLMRobertaModel on the same random tiny weights (both directions)
2. LoRA parity: our LoRA vs peft (peft adapter -> ours, our adapter -> peft, merged vs merge_and_unload)
3. ONNX export under torch 2.x, parity with onnxruntime (Python)
4. a bf16 unified (dense+sparse+ColBERT) training run with our trainer, XLM-R-base-sized random model
5. samples/s: our trainer (dense, in-batch negatives) vs sentence-transformers MultipleNegativesRankingLoss on the
   same model, data, batch size, max length and bf16 autocast
Needs: .cache/gpu-carry/{tokenizer.json, tokenizer_config.json, special_tokens_map.json, pairs.jsonl}
(bench/trainer/make_gpu_carry.py). Usage: python3 bench/trainer/gpu/run_gpu.py [--quick]
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "gpu-worker"))
OUT = os.environ.get("OUT") or tempfile.mkdtemp()
CARRY = os.path.join(ROOT, ".cache", "gpu-carry")
QUICK = "--quick" in sys.argv
ONLY = next((a.split("=", 1)[1].split(",") for a in sys.argv if a.startswith("--only=")), None)
RESULTS: dict = {}


def log(*a):
    print(*a, flush=True)


def section(name):
    def deco(fn):
        def run():
            t = time.time()
            try:
                RESULTS[name] = fn()
            except Exception as e:  # keep going: one failed check must not hide the others
                traceback.print_exc()
                RESULTS[name] = {"error": f"{type(e).__name__}: {e}"}
            RESULTS[name] = {**(RESULTS[name] or {}), "seconds": round(time.time() - t, 1)}
            log(f"== {name}: {json.dumps(RESULTS[name])[:1500]}")
            with open(os.path.join(OUT, "gpu-results.json"), "w") as f:
                json.dump(RESULTS, f, indent=2)
        run.__name__ = fn.__name__
        return run
    return deco


def tiny_hf_config(vocab=1000):
    from transformers import XLMRobertaConfig
    return XLMRobertaConfig(vocab_size=vocab, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                            intermediate_size=128, max_position_embeddings=130, type_vocab_size=1,
                            pad_token_id=1, bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5)


def inputs(device, vocab=1000, B=4, S=20, seed=0):
    import torch
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(4, vocab, (B, S), generator=g)
    mask = torch.ones_like(ids)
    ids[:, 0] = 0
    for i in range(B):
        L = S - 5 * i
        ids[i, L - 1] = 2
        ids[i, L:] = 1
        mask[i, L:] = 0
    return ids.to(device), mask.to(device)


def masked_max_diff(a, b, mask):
    return float(((a.float() - b.float()).abs() * mask[..., None]).max())


@section("env")
def env():
    import torch
    info = {"torch": torch.__version__, "cuda": torch.cuda.is_available(),
            "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}
    for mod in ("transformers", "peft", "sentence_transformers", "onnxruntime", "tokenizers", "datasets"):
        try:
            info[mod] = __import__(mod).__version__
        except Exception as e:
            info[mod] = f"missing ({type(e).__name__})"
    return info


@section("encoder_vs_transformers")
def encoder_parity():
    import torch
    from transformers import XLMRobertaModel
    from trainer.model import load_model, save_model
    dev = "cuda"
    torch.manual_seed(0)
    hf = XLMRobertaModel(tiny_hf_config()).eval()
    d = tempfile.mkdtemp()
    hf.save_pretrained(d, safe_serialization=True)
    ours = load_model(d).eval().to(dev)
    hf = hf.to(dev)
    ids, mask = inputs(dev)
    res = {}
    with torch.no_grad():
        a = hf(input_ids=ids, attention_mask=mask).last_hidden_state
        b = ours.encoder(ids, mask)
        res["hf_to_ours_max_abs_diff"] = masked_max_diff(a, b, mask)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            a16 = hf(input_ids=ids, attention_mask=mask).last_hidden_state
            b16 = ours.encoder(ids, mask)
        res["bf16_max_abs_diff"] = masked_max_diff(a16, b16, mask)
    # ours -> transformers
    d2 = tempfile.mkdtemp()
    save_model(ours.cpu(), d2)
    hf2 = XLMRobertaModel.from_pretrained(d2).eval().to(dev)
    with torch.no_grad():
        res["ours_to_hf_max_abs_diff"] = masked_max_diff(hf2(input_ids=ids, attention_mask=mask).last_hidden_state,
                                                         ours.to(dev).encoder(ids, mask), mask)
    res["ok"] = max(res["hf_to_ours_max_abs_diff"], res["ours_to_hf_max_abs_diff"]) < 1e-4
    return res


@section("lora_vs_peft")
def lora_parity():
    import torch
    from peft import LoraConfig as PeftLoraConfig, PeftModel, get_peft_model
    from transformers import XLMRobertaModel
    from trainer.lora import LoraConfig, apply_lora, load_adapter, lora_modules, merge_lora, save_adapter
    from trainer.model import load_model
    dev = "cuda"
    torch.manual_seed(1)
    base = XLMRobertaModel(tiny_hf_config()).eval()
    d = tempfile.mkdtemp()
    base.save_pretrained(d, safe_serialization=True)
    ids, mask = inputs(dev, seed=1)
    res = {}
    # peft adapter (random A and B) -> our loader
    pm = get_peft_model(XLMRobertaModel.from_pretrained(d),
                        PeftLoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules=["query", "value", "dense"],
                                       init_lora_weights=False)).eval().to(dev)
    ad = tempfile.mkdtemp()
    pm.save_pretrained(ad)
    ours = load_model(d).eval()
    load_adapter(ours.encoder, ad)
    ours = ours.to(dev)
    with torch.no_grad():
        ref = pm(input_ids=ids, attention_mask=mask).last_hidden_state
        res["peft_adapter_in_ours_max_abs_diff"] = masked_max_diff(ref, ours.encoder(ids, mask), mask)
        merged_peft = pm.merge_and_unload()
        merge_lora(ours.encoder)
        res["merged_max_abs_diff"] = masked_max_diff(merged_peft(input_ids=ids, attention_mask=mask).last_hidden_state,
                                                     ours.encoder(ids, mask), mask)
    # our adapter (random B) -> peft
    torch.manual_seed(2)
    ours2 = load_model(d).eval()
    cfg = LoraConfig(r=4, alpha=8, dropout=0.0, target_modules=["query", "key", "value", "dense"])
    apply_lora(ours2.encoder, cfg)
    for m in lora_modules(ours2.encoder).values():
        torch.nn.init.normal_(m.lora_B.weight, std=0.2)
    ad2 = tempfile.mkdtemp()
    save_adapter(ours2.encoder, cfg, ad2, d)
    pm2 = PeftModel.from_pretrained(XLMRobertaModel.from_pretrained(d), ad2).eval().to(dev)
    ours2 = ours2.to(dev)
    with torch.no_grad():
        res["our_adapter_in_peft_max_abs_diff"] = masked_max_diff(
            pm2(input_ids=ids, attention_mask=mask).last_hidden_state, ours2.encoder(ids, mask), mask)
    res["ok"] = max(v for k, v in res.items() if k.endswith("diff")) < 1e-4
    return res


@section("onnx_export_torch2")
def onnx_export():
    import torch
    from trainer.export import export_folder
    from trainer.model import M3Model, XLMRConfig, save_model
    torch.manual_seed(3)
    d = tempfile.mkdtemp()
    save_model(M3Model(XLMRConfig(vocab_size=1000, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                                  intermediate_size=128, max_position_embeddings=130)), d)
    r = export_folder(d, fp16=True)
    return {"parity": r["parity"], "fp16_parity": r["fp16"]["parity"], "ok": r["ok"]}


def base_size_model(dirname, layers=12, hidden=768):
    import shutil
    import torch
    from trainer.model import M3Model, XLMRConfig, save_model
    torch.manual_seed(0)
    cfg = XLMRConfig(vocab_size=8000, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=hidden // 64,
                     intermediate_size=4 * hidden, max_position_embeddings=514)
    os.makedirs(dirname, exist_ok=True)
    save_model(M3Model(cfg), dirname)
    for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copyfile(os.path.join(CARRY, f), os.path.join(dirname, f))
    return dirname


def pairs(n, name="pairs.jsonl"):
    with open(os.path.join(CARRY, name), encoding="utf-8") as f:
        rows = [json.loads(l) for l in f][:n]
    return rows


def tokenised(rows, path, max_q, max_p, hard_negs=0):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(CARRY, "tokenizer.json"))
    qs = [e.ids for e in tok.encode_batch([r["query"] for r in rows])]
    ps = [e.ids for e in tok.encode_batch([r["passage"] for r in rows])]
    cut = lambda ids, n: ids if len(ids) <= n else ids[:n - 1] + [2]  # noqa: E731
    with open(path, "w") as f:
        for i, (q, p) in enumerate(zip(qs, ps)):
            negs = [cut(ps[(i + 1 + 97 * k) % len(ps)], max_p) for k in range(hard_negs)]
            f.write(json.dumps({"query": cut(q, max_q), "pos": [cut(p, max_p)], "neg": negs}) + "\n")
    return path


def run_trainer(cfg):
    r = subprocess.run([sys.executable, "-m", "trainer", "train"], input=json.dumps(cfg), capture_output=True,
                       text=True, cwd=os.path.join(ROOT, "gpu-worker"), timeout=600)
    ev = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    if r.returncode != 0:
        raise RuntimeError(f"trainer exit {r.returncode}: {r.stdout[-800:]} {r.stderr[-1500:]}")
    return ev


@section("bf16_unified_training")
def bf16_training():
    work = tempfile.mkdtemp()
    model = base_size_model(os.path.join(work, "base"))
    data = tokenised(pairs(4096), os.path.join(work, "train.jsonl"), 64, 256, hard_negs=7)
    val = tokenised(pairs(4096)[-256:], os.path.join(work, "val.jsonl"), 64, 256, hard_negs=7)
    steps = 20 if QUICK else 60
    cfg = {"model": model, "output_dir": os.path.join(work, "out"), "train_data": [data], "val_data": val,
           "mode": "unified", "batch_size": 16, "train_group_size": 8, "max_steps": steps, "learning_rate": 2e-4,
           "precision": "bf16", "device": "cuda", "log_steps": 5, "eval_steps": 0, "warmup_ratio": 0.1,
           "gradient_checkpointing": False}
    ev = run_trainer(cfg)
    st = [e for e in ev if e["event"] == "step"]
    ev2 = run_trainer({**cfg, "output_dir": os.path.join(work, "out-gc"), "sub_batch_size": 32, "max_steps": 10,
                       "eval_steps": 0, "val_data": None})
    st2 = [e for e in ev2 if e["event"] == "step"]
    return {"steps": steps, "losses_every_5": [round(e["loss"], 4) for e in st],
            "first_loss": st[0]["loss"], "last_loss": st[-1]["loss"],
            "samples_per_s": sum(e["samples_per_s"] for e in st[1:]) / max(1, len(st) - 1),
            "peak_mem_mb": st[-1].get("peak_mem_mb"), "evals": [e for e in ev if e["event"] == "eval"],
            "gradcache_sub32_peak_mem_mb": st2[-1].get("peak_mem_mb"),
            "gradcache_sub32_samples_per_s": sum(e["samples_per_s"] for e in st2[1:]) / max(1, len(st2) - 1),
            "done": ev[-1]["event"] == "done"}


@section("bf16_finetune_demo_model")
def finetune_demo():
    """Fine-tune the CPU-built demo model (carried in .cache/gpu-carry/demo-model) in bf16; held-out eval
    before (a 1-step run at lr 0) and after."""
    work = tempfile.mkdtemp()
    model = os.path.join(CARRY, "demo-model")
    data = tokenised(pairs(8192), os.path.join(work, "train.jsonl"), 64, 192, hard_negs=7)
    val = tokenised(pairs(512, "test_pairs.jsonl"), os.path.join(work, "val.jsonl"), 64, 192, hard_negs=7)
    base = {"model": model, "train_data": [data], "val_data": val, "mode": "unified", "batch_size": 32,
            "train_group_size": 8, "precision": "bf16", "device": "cuda", "log_steps": 10, "temperature": 0.05}
    ev0 = run_trainer({**base, "output_dir": os.path.join(work, "o0"), "max_steps": 1, "learning_rate": 0.0})
    steps = 200
    ev = run_trainer({**base, "output_dir": os.path.join(work, "o1"), "max_steps": steps, "learning_rate": 2e-4,
                      "eval_steps": 100, "warmup_ratio": 0.1})
    st = [e for e in ev if e["event"] == "step"]
    return {"steps": steps, "batch": "32 queries x 8 passages (1 pos + 7 sampled negatives), passages <= 192 tokens",
            "held_out_before": [e for e in ev0 if e["event"] == "eval"][-1],
            "held_out_evals": [e for e in ev if e["event"] == "eval"],
            "losses_every_10": [round(e["loss"], 4) for e in st],
            "samples_per_s": sum(e["samples_per_s"] for e in st[1:]) / max(1, len(st) - 1),
            "peak_mem_mb": st[-1].get("peak_mem_mb")}


@section("length_grouping_alternating")
def length_grouping():
    work = tempfile.mkdtemp()
    model_dir = base_size_model(os.path.join(work, "base"))
    B, steps, warm = 64, 30, 5
    data = tokenised(pairs(B * steps * 2), os.path.join(work, "train.jsonl"), 64, 256)
    out = {"glen_True": [], "glen_False": []}
    for i, glen in enumerate((False, True, False, True)):
        ev = run_trainer({"model": model_dir, "output_dir": os.path.join(work, f"o{i}"), "train_data": [data],
                          "mode": "dense", "batch_size": B, "train_group_size": 1, "max_steps": steps,
                          "precision": "bf16", "device": "cuda", "log_steps": 1, "group_by_length": glen})
        st = [e for e in ev if e["event"] == "step"][warm:]
        out[f"glen_{glen}"].append(len(st) * B / sum(B / e["samples_per_s"] for e in st))
    out["ratio_true_over_false"] = sum(out["glen_True"]) / sum(out["glen_False"])
    out["setup"] = "dense, B=64, in-batch negatives, queries<=64, passages<=256 tokens, alternating runs"
    return out


@section("samples_per_s_vs_sentence_transformers")
def throughput():
    import torch
    work = tempfile.mkdtemp()
    model_dir = base_size_model(os.path.join(work, "base"))
    B, steps, warm, max_len = 64, (12 if QUICK else 40), 5, 128
    rows = pairs(B * steps)
    data = tokenised(rows, os.path.join(work, "train.jsonl"), max_len, max_len)
    res = {"batch_size": B, "max_length": max_len, "steps": steps, "model": "XLM-R base size (768x12), vocab 8000"}
    # ours: dense InfoNCE, in-batch negatives only (= MNRL), bf16, length grouping on (our default) and off
    for glen in (True, False):
        ev = run_trainer({"model": model_dir, "output_dir": os.path.join(work, f"out-{glen}"), "train_data": [data],
                          "mode": "dense", "batch_size": B, "train_group_size": 1, "max_steps": steps,
                          "precision": "bf16", "device": "cuda", "log_steps": 1, "temperature": 0.05,
                          "learning_rate": 2e-5, "group_by_length": glen, "save_steps": 0})
        st = [e for e in ev if e["event"] == "step"][warm:]
        res[f"ours_group_by_length_{glen}_samples_per_s"] = len(st) * B / sum(B / e["samples_per_s"] for e in st)
    # sentence-transformers: MNRL with scale 1/0.05 = 20, CLS pooling + normalise, same optimiser, bf16 autocast
    from sentence_transformers import SentenceTransformer, losses, models
    tr = models.Transformer(model_dir, max_seq_length=max_len)
    st_model = SentenceTransformer(modules=[tr, models.Pooling(tr.get_word_embedding_dimension(), "cls"),
                                            models.Normalize()], device="cuda")
    loss_fn = losses.MultipleNegativesRankingLoss(st_model, scale=20.0)
    opt = torch.optim.AdamW(st_model.parameters(), lr=2e-5)
    st_model.train()
    times = []
    for s in range(steps):
        batch = rows[s * B:(s + 1) * B]
        torch.cuda.synchronize()
        t = time.time()
        fq = st_model.tokenize([r["query"] for r in batch])
        fp = st_model.tokenize([r["passage"] for r in batch])
        fq = {k: v.to("cuda") if torch.is_tensor(v) else v for k, v in fq.items()}
        fp = {k: v.to("cuda") if torch.is_tensor(v) else v for k, v in fp.items()}
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = loss_fn([fq, fp], None)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(st_model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        times.append(time.time() - t)
    res["sentence_transformers_mnrl_samples_per_s"] = B * len(times[warm:]) / sum(times[warm:])
    res["ratio_ours_over_st"] = res["ours_group_by_length_True_samples_per_s"] / res["sentence_transformers_mnrl_samples_per_s"]
    del st_model, opt
    torch.cuda.empty_cache()
    # our model in the same hand loop as ST above (pre-tokenised ids, no trainer around it): model speed alone
    from trainer.data import pad
    from trainer.losses import info_nce
    from trainer.model import load_model
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(CARRY, "tokenizer.json"))
    tok.enable_truncation(max_len)
    m = load_model(model_dir).cuda().train()
    opt = torch.optim.AdamW(m.parameters(), lr=2e-5)
    times = []
    for s in range(steps):
        batch = rows[s * B:(s + 1) * B]
        torch.cuda.synchronize()
        t = time.time()
        q_ids, q_mask = pad([e.ids for e in tok.encode_batch([r["query"] for r in batch])], "cuda")
        p_ids, p_mask = pad([e.ids for e in tok.encode_batch([r["passage"] for r in batch])], "cuda")
        with torch.autocast("cuda", dtype=torch.bfloat16):
            q, p = m(q_ids, q_mask)["dense"], m(p_ids, p_mask)["dense"]
        loss = info_nce(q @ p.T / 0.05, 1)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        times.append(time.time() - t)
    res["ours_model_in_same_hand_loop_samples_per_s"] = B * len(times[warm:]) / sum(times[warm:])
    res["note"] = "ST loop is a plain torch loop around ST's model+MNRL (tokenisation inside the timed step, as its collator does)"
    return res


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for fn in (env, encoder_parity, lora_parity, onnx_export, bf16_training, finetune_demo, length_grouping,
               throughput):
        if ONLY is None or fn.__name__ in ONLY:
            fn()
    log(json.dumps(RESULTS, indent=1))
