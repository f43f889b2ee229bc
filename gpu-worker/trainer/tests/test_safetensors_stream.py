"""safetensors_io streams tensors to and from the file (no whole-file buffer): same bytes, every dtype, errors."""
import json
import os
import struct

import pytest
import torch

from trainer import safetensors_io


def sample():
    g = torch.Generator().manual_seed(0)
    return {
        "f32": torch.randn(3, 5, generator=g), "bf16": torch.randn(4, generator=g).to(torch.bfloat16),
        "f16": torch.randn(2, 2, generator=g).half(), "i64": torch.arange(7), "bool": torch.tensor([True, False, True]),
        "empty": torch.empty(0, 3), "scalar": torch.tensor(2.5), "strided": torch.randn(4, 6, generator=g).t(),
    }


def test_round_trip_every_dtype(tmp_path):
    p = str(tmp_path / "m.safetensors")
    ts = sample()
    safetensors_io.save_file(ts, p, {"format": "pt"})
    back = safetensors_io.load_file(p)
    assert set(back) == set(ts)
    for k, v in ts.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape, k
        assert torch.equal(back[k], v), k
    back["f32"][0, 0] = 9.0  # writable, own storage


def test_layout_is_the_safetensors_format(tmp_path):
    p = str(tmp_path / "m.safetensors")
    t = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    safetensors_io.save_file({"w": t}, p)
    raw = open(p, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    assert n % 8 == 0 and header["w"] == {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}
    assert raw[8 + n:] == t.numpy().tobytes()


def test_truncated_file_is_named(tmp_path):
    p = str(tmp_path / "m.safetensors")
    safetensors_io.save_file({"w": torch.ones(100)}, p)
    with open(p, "r+b") as f:
        f.truncate(os.path.getsize(p) - 10)
    with pytest.raises(ValueError, match="tensor w is truncated"):
        safetensors_io.load_file(p)
