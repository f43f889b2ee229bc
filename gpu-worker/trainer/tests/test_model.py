"""Encoder, folder I/O, LoRA."""
import os

import torch

from trainer import safetensors_io
from trainer.lora import LoraConfig, apply_lora, load_adapter, lora_modules, merge_lora, save_adapter
from trainer.model import M3Model, XLMRConfig, load_model, save_model

from .conftest import TINY, make_model_dir


def _inputs(seed=0, V=64):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(4, V, (3, 9), generator=g)
    mask = torch.ones_like(ids)
    ids[:, 0] = 0
    for i, L in enumerate([9, 6, 3]):
        ids[i, L - 1] = 2
        ids[i, L:] = 1
        mask[i, L:] = 0
    return ids, mask


def test_output_shapes_and_semantics():
    torch.manual_seed(0)
    m = M3Model(XLMRConfig(**TINY)).eval()
    ids, mask = _inputs()
    o = m(ids, mask)
    assert o["dense"].shape == (3, 32) and o["sparse"].shape == (3, 9) and o["colbert"].shape == (3, 8, 32)
    assert torch.allclose(o["dense"].norm(dim=-1), torch.ones(3), atol=1e-5)
    assert (o["sparse"] >= 0).all()
    assert (o["colbert"][2, 2:] == 0).all()  # padded positions are zero vectors
    # padding does not change a text's outputs
    solo = m(ids[2:3, :3], mask[2:3, :3])
    assert torch.allclose(solo["dense"], o["dense"][2:3], atol=1e-5)


def test_save_load_round_trip_is_bit_exact(tmp_path):
    d = make_model_dir(str(tmp_path / "m"), seed=3)
    a = load_model(d)
    save_model(a, str(tmp_path))  # save again, load again
    b = load_model(str(tmp_path))
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    ids, mask = _inputs()
    oa, ob = a.eval()(ids, mask), b.eval()(ids, mask)
    assert all(torch.equal(oa[k], ob[k]) for k in oa)
    for f in ("config.json", "model.safetensors", "colbert_linear.pt", "sparse_linear.pt", "m3studio.json"):
        assert os.path.isfile(tmp_path / f)


def test_safetensors_dtypes_round_trip(tmp_path):
    ts = {"a": torch.randn(3, 4), "b": torch.randn(5).to(torch.bfloat16), "c": torch.arange(6).view(2, 3),
          "d": torch.randn(2, 2).half(), "e": torch.zeros(0)}
    safetensors_io.save_file(ts, str(tmp_path / "x.safetensors"))
    back = safetensors_io.load_file(str(tmp_path / "x.safetensors"))
    assert all(torch.equal(ts[k], back[k]) and ts[k].dtype == back[k].dtype for k in ts)


def test_loads_hf_prefixed_and_bin_weights(tmp_path):
    d = make_model_dir(str(tmp_path / "m"), seed=4)
    sd = safetensors_io.load_file(os.path.join(d, "model.safetensors"))
    os.remove(os.path.join(d, "model.safetensors"))
    torch.save({"roberta." + k: v for k, v in sd.items()}, os.path.join(d, "pytorch_model.bin"))
    m = load_model(d)
    assert torch.equal(m.encoder.embeddings.word_embeddings.weight, sd["embeddings.word_embeddings.weight"])


def test_lora_merged_equals_unmerged_and_adapter_round_trip(tmp_path):
    torch.manual_seed(0)
    m = M3Model(XLMRConfig(**TINY)).eval()
    cfg = LoraConfig(r=4, alpha=8, dropout=0.0, target_modules=["query", "value", "dense"])
    wrapped = apply_lora(m.encoder, cfg)
    assert len(wrapped) == 2 * 5  # per layer: query, value, attention.output.dense, intermediate.dense, output.dense
    for mod in lora_modules(m.encoder).values():  # B starts at zero: make the adapter do something
        torch.nn.init.normal_(mod.lora_B.weight, std=0.5)
    ids, mask = _inputs()
    with torch.no_grad():
        un = m(ids, mask)
    save_adapter(m.encoder, cfg, str(tmp_path / "adapter"))
    base_sd = {k: v.clone() for k, v in m.state_dict().items()}
    merge_lora(m.encoder)
    assert not lora_modules(m.encoder)
    with torch.no_grad():
        me = m(ids, mask)
    for k in un:
        assert (un[k] - me[k]).abs().max() <= 1e-5, k
    # a fresh base + the saved adapter reproduces the unmerged outputs
    torch.manual_seed(0)
    fresh = M3Model(XLMRConfig(**TINY)).eval()
    load_adapter(fresh.encoder, str(tmp_path / "adapter"))
    with torch.no_grad():
        again = fresh(ids, mask)
    assert all(torch.allclose(again[k], un[k], atol=1e-6) for k in un)
    assert any(".lora_A." in k for k in base_sd)
