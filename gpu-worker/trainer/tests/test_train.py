"""Training loop: learning, resume, GradCache, modes, LoRA."""
import json
import os
import signal
import subprocess
import time

import pytest
import torch

from trainer.config import parse_config
from trainer.model import load_model
from trainer.train import Stop, run

from .conftest import GPU_WORKER, PY, base_config, events, make_data, run_cli


def _run(cfg: dict, stop_at: int = 0):
    losses = []
    stop = Stop()

    def on_step(step, loss):
        losses.append(loss)
        if stop_at and step == stop_at:
            stop.requested = True
    rc = run(parse_config(json.dumps(cfg)), stop, on_step)
    return rc, losses


def test_loss_falls_on_toy_set(tmp_path):
    cfg = base_config(tmp_path, mode="dense", max_steps=40, batch_size=8, dropout=0.0, learning_rate=3e-3)
    rc, losses = _run(cfg)
    assert rc == 0
    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < 0.6 * first, (first, last)


def test_interrupted_and_resumed_equals_uninterrupted(tmp_path):
    os.makedirs(tmp_path / "a")
    os.makedirs(tmp_path / "b")
    full = base_config(tmp_path / "a", max_steps=6)
    rc, ref = _run(full)
    assert rc == 0
    part = {**full, "output_dir": str(tmp_path / "b" / "out")}
    rc, first = _run(part, stop_at=3)
    assert rc == 143 and len(first) == 3
    assert os.path.isdir(tmp_path / "b" / "out" / "checkpoint-3")
    rc, second = _run(part)
    assert rc == 0
    assert first + second == pytest.approx(ref, abs=1e-6)
    a = load_model(str(tmp_path / "a" / "out" / "model")).state_dict()
    b = load_model(str(tmp_path / "b" / "out" / "model")).state_dict()
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


def test_sigterm_checkpoints_and_resumes(tmp_path):
    cfg = base_config(tmp_path, max_steps=400, log_steps=1)
    proc = subprocess.Popen([PY, "-m", "trainer", "train"], cwd=GPU_WORKER, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdin.write(json.dumps(cfg))
    proc.stdin.close()
    lines = []
    for line in proc.stdout:
        lines.append(json.loads(line))
        if lines[-1]["event"] == "step" and lines[-1]["step"] >= 2:
            proc.send_signal(signal.SIGTERM)
            break
    rest = proc.stdout.read()
    rc = proc.wait(timeout=60)
    lines += events(rest)
    assert rc != 0
    ck = [e for e in lines if e["event"] == "checkpoint"]
    assert ck and lines[-1]["event"] == "stopped"
    stopped_at = ck[-1]["step"]
    r = run_cli(["train"], json.dumps({**cfg, "max_steps": stopped_at + 2}))
    # a different max_steps is a different run: refused, nothing written
    assert r.returncode != 0 and events(r.stdout)[-1]["event"] == "error"
    r = run_cli(["train"], json.dumps(cfg), timeout=300)
    ev = events(r.stdout)
    assert r.returncode == 0, r.stderr[-2000:]
    assert ev[0] == {"event": "resume", "step": stopped_at, "path": ck[-1]["path"]}
    assert [e["step"] for e in ev if e["event"] == "step"][0] == stopped_at + 1


def test_gradcache_gives_the_same_gradients(tmp_path):
    """sub_batch_size only changes memory: same losses and weights as one big forward."""
    common = dict(mode="unified", max_steps=3, batch_size=4, dropout=0.0)
    rc, plain = _run(base_config(tmp_path / "p", **common))
    rc2, cached = _run(base_config(tmp_path / "c", **common, sub_batch_size=3))
    assert rc == rc2 == 0
    assert cached == pytest.approx(plain, abs=1e-5)
    a = load_model(str(tmp_path / "p" / "out" / "model")).state_dict()
    b = load_model(str(tmp_path / "c" / "out" / "model")).state_dict()
    assert max(float((a[k] - b[k]).abs().max()) for k in a) < 1e-5


def test_gradcache_replays_dropout_exactly():
    """With dropout, the cached-gradient step equals back-propagating through the very same chunked forward
    (each chunk's RNG state is replayed in the second pass, so its dropout masks match the first)."""
    from contextlib import nullcontext

    from trainer.losses import M3Loss
    from trainer.model import M3Model, XLMRConfig
    from trainer.gradcache import Stepper, cat_outputs as _cat
    from .conftest import TINY
    torch.manual_seed(0)
    model = M3Model(XLMRConfig(**{**TINY, "hidden_dropout_prob": 0.3, "attention_probs_dropout_prob": 0.3})).train()
    g = torch.Generator().manual_seed(1)
    q_ids, p_ids = torch.randint(4, 64, (4, 6), generator=g), torch.randint(4, 64, (8, 9), generator=g)
    q_mask, p_mask = torch.ones_like(q_ids), torch.ones_like(p_ids)
    p_mask[:, 7:] = 0
    p_ids[:, 7:] = 1
    loss_fn = M3Loss("unified", 0.05, group_size=2)
    torch.manual_seed(123)
    Stepper(model, loss_fn, nullcontext, 3, None)(q_ids, q_mask, p_ids, p_mask, lambda l: l, True)
    cached = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    assert len(cached) > 10
    model.zero_grad()
    torch.manual_seed(123)
    outs = [model(q_ids[s:s + 3], q_mask[s:s + 3]) for s in range(0, 4, 3)]
    outs += [model(p_ids[s:s + 3], p_mask[s:s + 3]) for s in range(0, 8, 3)]
    loss, _ = loss_fn(_cat(outs[:2]), _cat(outs[2:]), q_ids, q_mask, p_ids)
    loss.backward()
    for n, p in model.named_parameters():
        assert (p.grad is None) == (n not in cached), n
        if p.grad is not None:
            assert torch.allclose(cached[n], p.grad, atol=1e-6), n


def test_dense_only_checkpoint_carries_base_heads(tmp_path):
    cfg = base_config(tmp_path, mode="dense", max_steps=3)
    assert _run(cfg)[0] == 0
    base = load_model(cfg["model"])
    for path in ("out/model", "out/checkpoint-3/model"):
        m = load_model(str(tmp_path / path))
        for head in ("sparse_linear", "colbert_linear"):
            for k, v in getattr(base, head).state_dict().items():
                assert torch.equal(v, getattr(m, head).state_dict()[k]), (path, head, k)
        assert not torch.equal(base.encoder.embeddings.LayerNorm.weight, m.encoder.embeddings.LayerNorm.weight)


def test_heads_only_keeps_the_encoder(tmp_path):
    cfg = base_config(tmp_path, mode="heads", max_steps=3)
    assert _run(cfg)[0] == 0
    base, m = load_model(cfg["model"]), load_model(str(tmp_path / "out" / "model"))
    sb, sm = base.encoder.state_dict(), m.encoder.state_dict()
    assert all(torch.equal(sb[k], sm[k]) for k in sb)
    assert not torch.equal(base.colbert_linear.weight, m.colbert_linear.weight)


def test_lora_run_saves_merged_model_and_adapter(tmp_path):
    cfg = base_config(tmp_path, mode="unified", max_steps=3, lora={"r": 4, "alpha": 8, "dropout": 0.0},
                      save_steps=2, learning_rate=1e-2)
    rc, losses = _run(cfg)
    assert rc == 0
    out = tmp_path / "out"
    assert (out / "adapter" / "adapter_model.safetensors").is_file()
    assert (out / "checkpoint-2" / "adapter" / "adapter_config.json").is_file()
    merged = load_model(str(out / "model")).eval()
    from trainer.lora import load_adapter
    unmerged = load_model(cfg["model"]).eval()
    load_adapter(unmerged.encoder, str(out / "adapter"))
    for head in ("sparse_linear", "colbert_linear"):  # trained heads travel beside the adapter
        getattr(unmerged, head).load_state_dict(torch.load(str(out / "adapter" / f"{head}.pt")))
    ids = torch.tensor([[0, 5, 6, 7, 2], [0, 9, 2, 1, 1]])
    mask = (ids != 1).long()
    with torch.no_grad():
        a, b = merged(ids, mask), unmerged(ids, mask)
    assert all((a[k] - b[k]).abs().max() <= 1e-5 for k in a)
    base = load_model(cfg["model"])
    assert not torch.equal(base.encoder.encoder.layer[0].attention.self.query.weight,
                           merged.encoder.encoder.layer[0].attention.self.query.weight)


def test_validation_and_accumulation_events(tmp_path):
    val = make_data(str(tmp_path / "val.jsonl"), n=8, seed=5)
    cfg = base_config(tmp_path, max_steps=4, eval_steps=2, val_data=val, gradient_accumulation_steps=2)
    r = run_cli(["train"], json.dumps(cfg))
    assert r.returncode == 0, r.stderr[-2000:]
    ev = events(r.stdout)
    kinds = [e["event"] for e in ev]
    assert kinds[0] == "start" and kinds[-1] == "done"
    evals = [e for e in ev if e["event"] == "eval"]
    assert len(evals) == 2 and all(0 <= e["val_accuracy"] <= 1 and e["val_loss"] > 0 for e in evals)
    step = next(e for e in ev if e["event"] == "step")
    assert {"step", "loss", "lr", "grad_norm", "samples_per_s"} <= set(step)
    assert not r.stdout.strip().splitlines()[0].startswith("[")  # stdout is JSON lines only


def test_gradient_checkpointing_gives_the_same_run(tmp_path):
    common = dict(mode="unified", max_steps=3, dropout=0.1)
    _, plain = _run(base_config(tmp_path / "p", **common))
    _, ckpt = _run(base_config(tmp_path / "c", **common, gradient_checkpointing=True))
    assert ckpt == pytest.approx(plain, abs=1e-6)


def test_keep_last_k_checkpoints(tmp_path):
    cfg = base_config(tmp_path, max_steps=5, save_steps=1, keep_last=2)
    assert _run(cfg)[0] == 0
    names = sorted(p for p in os.listdir(tmp_path / "out") if p.startswith("checkpoint-"))
    assert names == ["checkpoint-4", "checkpoint-5"]
    assert not [p for p in os.listdir(tmp_path / "out") if p.startswith(".tmp")]
