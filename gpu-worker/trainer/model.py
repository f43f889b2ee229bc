"""XLM-RoBERTa encoder with the three BGE-M3 heads (dense / sparse / ColBERT), in one readable file.

Parameter names match transformers' XLMRobertaModel, so `model.safetensors` written here loads in transformers
and in FlagEmbedding's BGEM3FlagModel, and a BGE-M3 folder loads here. Shapes: B batch, S sequence, H hidden,
N heads, D = H / N head dim.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, fields
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

from . import safetensors_io
from .safe_load import load_pt


@dataclass
class XLMRConfig:
    vocab_size: int = 250002
    hidden_size: int = 1024
    num_hidden_layers: int = 24
    num_attention_heads: int = 16
    intermediate_size: int = 4096
    hidden_act: str = "gelu"
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    max_position_embeddings: int = 8194
    type_vocab_size: int = 1
    layer_norm_eps: float = 1e-5
    pad_token_id: int = 1
    bos_token_id: int = 0
    eos_token_id: int = 2
    initializer_range: float = 0.02

    @property
    def max_length(self) -> int:
        """Longest input (special tokens included): XLM-R positions start after pad_token_id."""
        return self.max_position_embeddings - self.pad_token_id - 1

    @classmethod
    def from_hf(cls, d: Dict) -> "XLMRConfig":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    def to_hf(self) -> Dict:
        return {"architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta", **asdict(self),
                "position_embedding_type": "absolute", "torch_dtype": "float32", "use_cache": True,
                "classifier_dropout": None}


class Embeddings(nn.Module):
    def __init__(self, c: XLMRConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size, padding_idx=c.pad_token_id)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)
        self.pad = c.pad_token_id

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:  # [B,S] -> [B,S,H]
        # XLM-R positions: pad tokens get pad_token_id, others count from pad_token_id + 1.
        not_pad = input_ids.ne(self.pad).long()
        positions = torch.cumsum(not_pad, dim=1) * not_pad + self.pad
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions)
        x = x + self.token_type_embeddings.weight[0]
        return self.dropout(self.LayerNorm(x))


class SelfAttention(nn.Module):
    def __init__(self, c: XLMRConfig):
        super().__init__()
        self.n_head = c.num_attention_heads
        self.query = nn.Linear(c.hidden_size, c.hidden_size)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.value = nn.Linear(c.hidden_size, c.hidden_size)
        self.dropout_p = c.attention_probs_dropout_prob

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:  # x [B,S,H], keep bool [B,1,1,S]
        B, S, H = x.shape
        q, k, v = (lin(x).view(B, S, self.n_head, H // self.n_head).transpose(1, 2)  # [B,N,S,D]
                   for lin in (self.query, self.key, self.value))
        p = self.dropout_p if self.training else 0.0
        bias = torch.zeros(keep.shape, dtype=q.dtype, device=q.device).masked_fill(~keep, torch.finfo(q.dtype).min)
        if hasattr(F, "scaled_dot_product_attention"):  # torch >= 2.0
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, dropout_p=p)
        else:  # torch 1.13: explicit attention
            att = (q @ k.transpose(-2, -1)) / math.sqrt(q.size(-1)) + bias  # [B,N,S,S]
            att = F.dropout(att.softmax(dim=-1), p=p, training=self.training)
            y = att @ v
        return y.transpose(1, 2).reshape(B, S, H)


class Layer(nn.Module):
    """One post-LayerNorm transformer block, with HF's module names (attention.self / attention.output / ...)."""

    def __init__(self, c: XLMRConfig):
        super().__init__()
        self.attention = nn.Module()
        self.attention.self = SelfAttention(c)
        self.attention.output = nn.Module()
        self.attention.output.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.attention.output.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.intermediate = nn.Module()
        self.intermediate.dense = nn.Linear(c.hidden_size, c.intermediate_size)
        self.output = nn.Module()
        self.output.dense = nn.Linear(c.intermediate_size, c.hidden_size)
        self.output.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:  # [B,S,H] -> [B,S,H]
        a = self.dropout(self.attention.output.dense(self.attention.self(x, keep)))
        x = self.attention.output.LayerNorm(x + a)
        h = F.gelu(self.intermediate.dense(x))
        h = self.dropout(self.output.dense(h))
        return self.output.LayerNorm(x + h)


class XLMREncoder(nn.Module):
    def __init__(self, c: XLMRConfig):
        super().__init__()
        self.config = c
        self.embeddings = Embeddings(c)
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList([Layer(c) for _ in range(c.num_hidden_layers)])
        self.pooler = nn.Module()  # unused by BGE-M3; kept so checkpoints round-trip with transformers
        self.pooler.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.gradient_checkpointing = False
        self.apply(self._init)

    def _init(self, m: nn.Module) -> None:
        std = self.config.initializer_range
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=std)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=std)
            if m.padding_idx is not None:
                m.weight.data[m.padding_idx].zero_()
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """input_ids, attention_mask [B,S] -> last hidden state [B,S,H]."""
        x = self.embeddings(input_ids)
        keep = attention_mask[:, None, None, :].bool()  # [B,1,1,S]
        for layer in self.encoder.layer:
            if self.gradient_checkpointing and self.training and torch.is_grad_enabled():
                x = checkpoint(layer, x, keep, use_reentrant=False)
            else:
                x = layer(x, keep)
        return x


class M3Model(nn.Module):
    """Encoder + BGE-M3 heads. forward() returns the three outputs with the semantics of docs/CONTRACTS.md."""

    def __init__(self, c: XLMRConfig):
        super().__init__()
        self.config = c
        self.encoder = XLMREncoder(c)
        self.sparse_linear = nn.Linear(c.hidden_size, 1)
        self.colbert_linear = nn.Linear(c.hidden_size, c.hidden_size)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Dict[str, torch.Tensor]:
        h = self.encoder(input_ids, attention_mask)  # [B,S,H]
        return heads(self, h, attention_mask)


def heads(m: "M3Model", h: torch.Tensor, attention_mask: torch.Tensor) -> Dict[str, torch.Tensor]:
    """h [B,S,H] -> dense [B,H] (CLS, normalised), sparse [B,S] (relu weights, raw), colbert [B,S-1,H]."""
    dense = F.normalize(h[:, 0].float(), dim=-1)
    sparse = torch.relu(m.sparse_linear(h).float()).squeeze(-1)
    colbert = m.colbert_linear(h[:, 1:]).float() * attention_mask[:, 1:, None].to(torch.float32)
    colbert = F.normalize(colbert, dim=-1)  # padded rows stay zero
    return {"dense": dense, "sparse": sparse, "colbert": colbert}


# ---------------------------------------------------------------- folder I/O (Hugging Face layout)

def _strip_prefix(sd: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    out = {}
    for k, v in sd.items():
        for p in ("roberta.", "model."):
            if k.startswith(p):
                k = k[len(p):]
        out[k] = v
    return out


def read_encoder_weights(folder: str) -> Dict[str, torch.Tensor]:
    """The encoder's tensors of a model folder (model.safetensors, else pytorch_model.bin), names without the
    "roberta."/"model." prefix that transformers' checkpoints may carry, and without the position_ids buffer."""
    from .events import TrainerError
    st, binf = os.path.join(folder, "model.safetensors"), os.path.join(folder, "pytorch_model.bin")
    if os.path.isfile(st):
        sd = safetensors_io.load_file(st)
    elif os.path.isfile(binf):
        sd = load_pt(binf)
    else:
        raise TrainerError(f"model folder {folder!r} has no model.safetensors or pytorch_model.bin", "missing_model")
    return {k: v for k, v in _strip_prefix(sd).items() if not k.endswith("position_ids")}


def load_model(folder: str, device: str = "cpu") -> M3Model:
    """Load config.json + model.safetensors (or pytorch_model.bin) + colbert_linear.pt + sparse_linear.pt."""
    from .events import TrainerError
    cfg_path = os.path.join(folder, "config.json")
    if not os.path.isfile(cfg_path):
        raise TrainerError(f"model folder {folder!r} has no config.json", "missing_model")
    with open(cfg_path, encoding="utf-8") as f:
        config = XLMRConfig.from_hf(json.load(f))
    sd = read_encoder_weights(folder)
    model = M3Model(config)
    enc_keys = set(model.encoder.state_dict())
    missing = enc_keys - set(sd)
    missing = {k for k in missing if not k.startswith("pooler.")}
    if missing:
        raise TrainerError(f"model weights miss {sorted(missing)[:3]}...", "bad_model")
    model.encoder.load_state_dict({k: v for k, v in sd.items() if k in enc_keys}, strict=False)
    for name in ("colbert_linear", "sparse_linear"):
        p = os.path.join(folder, f"{name}.pt")
        if os.path.isfile(p):
            getattr(model, name).load_state_dict(load_pt(p))
        # else: keep the deterministic init (seeded by the caller); a BGE-M3 folder always has both.
    return model.to(device)


def save_model(model: M3Model, folder: str, metadata: Optional[Dict] = None) -> None:
    """Write the Hugging Face layout into `folder` (which must exist). LoRA must be merged first."""
    c = model.config
    with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as f:
        json.dump(c.to_hf(), f, indent=2)
    sd = {k: v.float() for k, v in model.encoder.state_dict().items()}
    safetensors_io.save_file(sd, os.path.join(folder, "model.safetensors"), {"format": "pt"})
    for name in ("colbert_linear", "sparse_linear"):
        torch.save({k: v.detach().float().cpu().clone() for k, v in getattr(model, name).state_dict().items()},
                   os.path.join(folder, f"{name}.pt"))
    meta = {"pooling": "cls", "dim": c.hidden_size, "max_length": c.max_length, "lineage": {}}
    meta.update(metadata or {})
    with open(os.path.join(folder, "m3studio.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=2, ensure_ascii=False)


TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "spm.model",
                   "sentencepiece.bpe.model", "splits.json")


# sentence-transformers' own files (BAAI/bge-m3 has them): without them a downloaded checkpoint does not load as a
# SentenceTransformer with the base's CLS pooling + Normalize. Folders are the module folders modules.json names.
SENTENCE_TRANSFORMERS_FILES = ("modules.json", "config_sentence_transformers.json", "sentence_bert_config.json")
SENTENCE_TRANSFORMERS_DIRS = ("1_Pooling", "2_Normalize")


def copy_sentence_transformers(dst: str, *sources: str) -> None:
    """Each sentence-transformers file/folder from the first of `sources` that has it (none: nothing written)."""
    import shutil
    for name in SENTENCE_TRANSFORMERS_FILES + SENTENCE_TRANSFORMERS_DIRS:
        for src in sources:
            p = os.path.join(src, name)
            if os.path.isfile(p):
                shutil.copyfile(p, os.path.join(dst, name))
                break
            if os.path.isdir(p):
                shutil.rmtree(os.path.join(dst, name), ignore_errors=True)
                shutil.copytree(p, os.path.join(dst, name))
                break


def copy_tokenizer(src: str, dst: str) -> None:
    """The base folder's tokenizer and sentence-transformers files into a model folder written from it."""
    import shutil
    for name in TOKENIZER_FILES:
        p = os.path.join(src, name)
        if os.path.isfile(p):
            shutil.copyfile(p, os.path.join(dst, name))
    copy_sentence_transformers(dst, src)
