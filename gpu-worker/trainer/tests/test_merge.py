"""`trainer merge`: W·tuned + (1−W)·base on every tensor (encoder and both heads), LoRA adapters folded in first,
mismatched models refused with nothing written."""
import json
import os

import pytest
import torch

from trainer import safetensors_io
from trainer.lora import LoraConfig, apply_lora, lora_modules, merge_lora, save_adapter
from trainer.model import load_model

from .conftest import events, make_model_dir, run_cli

HEADS = ("colbert_linear", "sparse_linear")


def _folder(path, seed, **over):
    make_model_dir(str(path), seed=seed, **over)
    with open(os.path.join(path, "tokenizer.json"), "w") as f:
        json.dump({"seed": seed}, f)  # marks which folder the tokenizer was copied from
    return str(path)


def _tensors(folder):
    """Every weight of a model folder: encoder names, and `<head>.<param>` for the heads."""
    out = dict(safetensors_io.load_file(os.path.join(folder, "model.safetensors")))
    for h in HEADS:
        for k, v in torch.load(os.path.join(folder, f"{h}.pt")).items():
            out[f"{h}.{k}"] = v
    return out


def _merge(base, tuned, w, out):
    r = run_cli(["merge", "--base", base, "--tuned", tuned, "--weight", str(w), "--out", out])
    return r, events(r.stdout)


def test_merged_weights_are_the_weighted_average_of_every_tensor(tmp_path):
    base, tuned = _folder(tmp_path / "base", 0), _folder(tmp_path / "tuned", 1)
    out = str(tmp_path / "merged")
    r, ev = _merge(base, tuned, 0.3, out)
    assert r.returncode == 0, r.stdout + r.stderr
    assert ev[-1]["event"] == "done" and ev[-1]["weight"] == 0.3
    b, t, m = _tensors(base), _tensors(tuned), _tensors(out)
    assert set(m) == set(t) == set(b)
    assert {"sparse_linear.weight", "sparse_linear.bias", "colbert_linear.weight", "colbert_linear.bias"} <= set(m)
    assert ev[-1]["tensors"] == len(m)
    for k in m:
        expected = 0.3 * t[k].double() + 0.7 * b[k].double()  # by hand, in float64
        assert m[k].dtype == t[k].dtype
        assert torch.allclose(m[k].double(), expected, rtol=0, atol=1e-6), k
        if not torch.equal(t[k], b[k]):
            assert not torch.equal(m[k], t[k]) and not torch.equal(m[k], b[k]), k
    # A loadable model folder: config + tokenizer of the tuned model, lineage records the merge.
    assert json.load(open(os.path.join(out, "tokenizer.json"))) == {"seed": 1}
    meta = json.load(open(os.path.join(out, "m3studio.json")))
    assert meta["lineage"]["merge"]["weight"] == 0.3 and meta["lineage"]["merge"]["tuned"] == tuned
    model = load_model(out)
    assert torch.equal(model.sparse_linear.weight.data, m["sparse_linear.weight"])
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".tmp-")]


@pytest.mark.parametrize("w,which", [(1.0, "tuned"), (0.0, "base")])
def test_endpoints_reproduce_tuned_and_base_exactly(tmp_path, w, which):
    base, tuned = _folder(tmp_path / "base", 0), _folder(tmp_path / "tuned", 1)
    out = str(tmp_path / "merged")
    r, _ = _merge(base, tuned, w, out)
    assert r.returncode == 0, r.stdout + r.stderr
    ref, m = _tensors(base if which == "base" else tuned), _tensors(out)
    for k in ref:
        assert torch.equal(m[k], ref[k]), k  # bit-exact


@pytest.mark.parametrize("over,needle", [
    ({"hidden_size": 48}, "config.json hidden_size is 32 in the base and 48"),
    ({"num_hidden_layers": 3}, "num_hidden_layers"),
])
def test_mismatched_architectures_are_refused_with_nothing_written(tmp_path, over, needle):
    base, tuned = _folder(tmp_path / "base", 0), _folder(tmp_path / "tuned", 1, **over)
    out = str(tmp_path / "merged")
    r, ev = _merge(base, tuned, 0.5, out)
    assert r.returncode == 2
    assert len(ev) == 1 and ev[0]["event"] == "error" and ev[0]["code"] == "mismatch" and needle in ev[0]["reason"], ev
    assert not os.path.exists(out)
    assert sorted(os.listdir(tmp_path)) == ["base", "tuned"]


def test_a_tensor_of_another_shape_is_named(tmp_path):
    base, tuned = _folder(tmp_path / "base", 0), _folder(tmp_path / "tuned", 1)
    # Same config, but one head resized (a folder edited by hand or from another model).
    torch.save({"weight": torch.zeros(2, 32), "bias": torch.zeros(1)}, os.path.join(tuned, "sparse_linear.pt"))
    out = str(tmp_path / "merged")
    r, ev = _merge(base, tuned, 0.5, out)
    assert r.returncode == 2
    assert "'sparse_linear.weight' has shape [1, 32] in the base and [2, 32]" in ev[0]["reason"], ev
    assert not os.path.exists(out)


def test_bad_weight_and_missing_folder(tmp_path):
    base, tuned = _folder(tmp_path / "base", 0), _folder(tmp_path / "tuned", 1)
    r, ev = _merge(base, tuned, 1.5, str(tmp_path / "m"))
    assert r.returncode == 2 and "between 0 and 1" in ev[0]["reason"]
    r, ev = _merge(base, str(tmp_path / "nope"), 0.5, str(tmp_path / "m"))
    assert r.returncode == 2 and "not found" in ev[0]["reason"]
    assert not os.path.exists(tmp_path / "m")


def test_lora_adapter_is_folded_in_before_averaging(tmp_path):
    base = _folder(tmp_path / "base", 0)
    model = load_model(base)
    cfg = LoraConfig(r=4, alpha=8, dropout=0.0, target_modules=["query", "value"])
    apply_lora(model.encoder, cfg)
    torch.manual_seed(3)
    for m in lora_modules(model.encoder).values():
        torch.nn.init.normal_(m.lora_B.weight, std=0.1)  # a trained adapter (B starts at zero)
    with torch.no_grad():
        model.sparse_linear.weight.add_(0.5)  # heads trained too; they travel with the adapter
    adapter = str(tmp_path / "adapter")
    save_adapter(model.encoder, cfg, adapter)
    for h in HEADS:
        torch.save({k: v.detach().clone() for k, v in getattr(model, h).state_dict().items()}, os.path.join(adapter, f"{h}.pt"))
    merge_lora(model.encoder)
    tuned = {k: v for k, v in model.encoder.state_dict().items()}
    for h in HEADS:
        for k, v in getattr(model, h).state_dict().items():
            tuned[f"{h}.{k}"] = v
    b = _tensors(base)

    out = str(tmp_path / "merged")
    r, _ = _merge(base, adapter, 0.5, out)
    assert r.returncode == 0, r.stdout + r.stderr
    m = _tensors(out)
    assert set(m) == set(b)
    changed = [k for k in m if not torch.equal(tuned[k], b[k])]
    assert any("attention.self.query" in k for k in changed) and "sparse_linear.weight" in changed
    for k in m:
        assert torch.allclose(m[k], 0.5 * tuned[k] + 0.5 * b[k], rtol=0, atol=1e-6), k
    assert json.load(open(os.path.join(out, "tokenizer.json"))) == {"seed": 0}  # an adapter has none: the base's
