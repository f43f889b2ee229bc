"""Minimal safetensors reader/writer (no `safetensors` package needed).

Format: 8-byte little-endian header length N, then N bytes of JSON header
{name: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}},
then the raw little-endian tensor bytes, offsets relative to the end of the header.
"""
from __future__ import annotations

import json
import os
import struct
from typing import Dict, Optional

import numpy as np
import torch

_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
    "BOOL": torch.bool,
}
_NAMES = {v: k for k, v in _DTYPES.items()}


def _bytes(t: torch.Tensor) -> memoryview:
    """The tensor's raw little-endian bytes without a copy (bfloat16 has no numpy dtype: viewed as int16)."""
    return memoryview((t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy()).cast("B")


def save_file(tensors: Dict[str, torch.Tensor], path: str, metadata: Optional[Dict[str, str]] = None) -> None:
    """Write tensors to `path` (atomically: temp file + rename). Names are sorted, 8-byte aligned header.
    Streams each tensor's own buffer: no second copy of the weights in memory (2.27 GB at BGE-M3's size)."""
    header: Dict[str, object] = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    ordered = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().to("cpu").contiguous()
        if t.dtype not in _NAMES:
            raise ValueError(f"unsupported dtype {t.dtype} for {name}")
        size = t.numel() * t.element_size()
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + size]}
        ordered.append(t)
        offset += size
    hbytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hbytes += b" " * ((8 - len(hbytes) % 8) % 8)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(hbytes)))
        f.write(hbytes)
        for t in ordered:
            if t.numel():
                f.write(_bytes(t))
    os.replace(tmp, path)


def load_file(path: str) -> Dict[str, torch.Tensor]:
    """Read every tensor of a safetensors file into CPU tensors (writable). Each tensor is read from the file
    straight into its own storage: peak memory is the tensors alone, not the file plus copies."""
    out: Dict[str, torch.Tensor] = {}
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise ValueError(f"{path}: not a safetensors file")
        (n,) = struct.unpack("<Q", head)
        header = json.loads(f.read(n).decode("utf-8"))
        base = 8 + n
        for name, info in header.items():
            if name == "__metadata__":
                continue
            dtype = _DTYPES[info["dtype"]]
            b, e = info["data_offsets"]
            t = torch.empty(info["shape"], dtype=dtype)
            if e - b != t.numel() * t.element_size():
                raise ValueError(f"{path}: tensor {name} has {e - b} bytes for shape {info['shape']} {info['dtype']}")
            if t.numel():
                f.seek(base + b)
                if f.readinto(_bytes(t)) != e - b:
                    raise ValueError(f"{path}: tensor {name} is truncated")
            out[name] = t
    return out
