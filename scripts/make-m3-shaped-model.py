"""A BGE-M3-shaped model folder, made offline (scripts/make-m3-shaped-model.sh; docs/full-size.md).

Laid out file for file like BAAI/bge-m3 on the Hub, with SEEDED RANDOM weights: a stand-in for size and shape
(568M parameters, 2.27 GB fp32 at the defaults), not a model that retrieves anything.

Tokenizer (no model hub): a SentencePiece unigram trained on the demo data (data/demo/), extended with pieces cut
from the same text (then generated syllables) to 250,000 pieces, written in XLM-R's fairseq layout
(sentencepiece.bpe.model: <unk> 0, <s> 1, </s> 2) and as tokenizer.json with the +1 offset HF applies
(<s> 0, <pad> 1, </s> 2, <unk> 3, pieces 4.., <mask> 250001): the same two files, same id rule, as BAAI/bge-m3.

  /usr/bin/python3 scripts/make-m3-shaped-model.py OUT [--layers 24 --hidden 1024 --heads 16 --intermediate 4096]
      [--vocab-size 250002] [--max-position 8194] [--seed 0] [--bin] [--force]
"""
from __future__ import annotations

import argparse
import base64
import collections
import json
import math
import os
import shutil
import sys
import tempfile
import time
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "gpu-worker"))

HF_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]  # ids 0..3; <mask> is the last id
FORMAT = 3  # bump when the folder's content rule changes (the .m3-shaped stamp then no longer matches)


def log(msg: str) -> None:
    sys.stderr.write(f"[m3-shaped] {msg}\n")
    sys.stderr.flush()


# ------------------------------------------------------------------------------------------------ tokenizer

def demo_texts() -> list:
    from trainer.demo import data
    rows = data.load_all()
    return sorted({t for r in rows for t in (r.query, r.passage[:2000])})


def train_seed_spm(texts: list, prefix: str) -> str:
    """A real unigram model (fairseq ids) on the demo text: its pieces, scores and nmt_nfkc normaliser."""
    import sentencepiece as spm
    txt = prefix + ".txt"
    with open(txt, "w", encoding="utf-8") as f:
        for s in texts:
            f.write(s.replace("\n", " ") + "\n")
    if hasattr(spm, "set_random_generator_seed"):
        spm.set_random_generator_seed(1234)
    spm.SentencePieceTrainer.train(
        input=txt, model_prefix=prefix, model_type="unigram", vocab_size=16000, character_coverage=0.9995,
        unk_id=0, bos_id=1, eos_id=2, pad_id=-1, unk_piece="<unk>", bos_piece="<s>", eos_piece="</s>",
        normalization_rule_name="nmt_nfkc", num_threads=2, input_sentence_size=40000, shuffle_input_sentence=True,
        max_sentence_length=8192, minloglevel=2)
    os.remove(txt)
    return prefix + ".model"


def _is_cjk(ch: str) -> bool:
    return "CJK" in unicodedata.name(ch, "")


def extra_pieces(texts: list, have: set, need: int, normalize) -> list:
    """`need` new pieces, most frequent first: word pieces (▁-prefixed prefixes, inner substrings) and CJK n-grams
    of the demo text, normalised as the model normalises; then generated syllables when the text runs out."""
    counts: collections.Counter = collections.Counter()
    for t in texts:
        for w in normalize(t).split(" "):
            if not w:
                continue
            if any(_is_cjk(c) for c in w):
                for n in (2, 3, 4):
                    for i in range(len(w) - n + 1):
                        counts[w[i:i + n]] += 1
                continue
            w = w[:24]
            for j in range(2, len(w) + 1):
                counts["\u2581" + w[:j]] += 1
            for i in range(1, len(w)):
                for j in range(i + 2, min(len(w), i + 8) + 1):
                    counts[w[i:j]] += 1
    out = [p for p, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if p not in have][:need]
    if len(out) < need:  # deterministic syllables: ▁ + consonant-vowel pairs, then without ▁
        seen = have | set(out)
        cons, vows = "bcdfghjklmnprstvwz", "aeiou"
        syl = [c + v for c in cons for v in vows] + [c + v + e for c in cons for v in vows for e in "nrst"]
        for a in syl:
            for b in syl:
                for p in ("\u2581" + a + b, a + b):
                    if p not in seen:
                        seen.add(p)
                        out.append(p)
                        if len(out) == need:
                            return out
        raise RuntimeError(f"only {len(out)} of {need} extra pieces could be made")
    return out


def build_spm(texts: list, work: str, n_pieces: int) -> str:
    """sentencepiece.bpe.model with exactly n_pieces pieces (fairseq layout: <unk> 0, <s> 1, </s> 2)."""
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb
    seed = train_seed_spm(texts, os.path.join(work, "seed"))
    m = pb.ModelProto()
    with open(seed, "rb") as f:
        m.ParseFromString(f.read())
    assert [p.piece for p in m.pieces[:3]] == ["<unk>", "<s>", "</s>"], [p.piece for p in m.pieces[:3]]
    sp = spm.SentencePieceProcessor(model_file=seed)
    normalize = lambda s: "".join(sp.encode(s, out_type=str)).replace("\u2581", " ").strip()  # noqa: E731
    have = {p.piece for p in m.pieces}
    low = min(p.score for p in m.pieces if p.type == pb.ModelProto.SentencePiece.NORMAL)
    extra = extra_pieces(texts, have, n_pieces - len(m.pieces), normalize)
    for i, piece in enumerate(extra):  # below every trained piece, strictly decreasing: no Viterbi ties
        p = m.pieces.add()
        p.piece, p.score, p.type = piece, low - 1.0 - 8.0 * i / len(extra), pb.ModelProto.SentencePiece.NORMAL
    m.trainer_spec.vocab_size = len(m.pieces)
    out = os.path.join(work, "sentencepiece.bpe.model")
    with open(out, "wb") as f:
        f.write(m.SerializeToString())
    check = spm.SentencePieceProcessor(model_file=out)
    assert check.get_piece_size() == n_pieces, check.get_piece_size()
    return out


def tokenizer_json(spm_file: str, max_length: int) -> dict:
    """tokenizer.json as transformers' XLMRobertaTokenizerFast writes it for BAAI/bge-m3: fairseq offset +1."""
    from sentencepiece import sentencepiece_model_pb2 as pb
    m = pb.ModelProto()
    with open(spm_file, "rb") as f:
        m.ParseFromString(f.read())
    vocab = [[t, 0.0] for t in HF_SPECIALS] + [[p.piece, float(p.score)] for p in m.pieces[3:]] + [["<mask>", 0.0]]
    mask_id = len(vocab) - 1
    tok = lambda i, t, lstrip=False: {"id": i, "content": t, "single_word": False, "lstrip": lstrip,  # noqa: E731
                                      "rstrip": False, "normalized": False, "special": True}
    charsmap = base64.b64encode(m.normalizer_spec.precompiled_charsmap).decode("ascii")
    special = lambda t: {"SpecialToken": {"id": t, "type_id": 0}}  # noqa: E731
    seq = lambda s: {"Sequence": {"id": s, "type_id": 0}}  # noqa: E731
    metaspace = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
    return {
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": max_length, "strategy": "LongestFirst", "stride": 0},
        "padding": None,
        "added_tokens": [tok(i, t) for i, t in enumerate(HF_SPECIALS)] + [tok(mask_id, "<mask>", lstrip=True)],
        # sentencepiece's nmt_nfkc (its precompiled charsmap), then its remove_extra_whitespaces
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Precompiled", "precompiled_charsmap": charsmap},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
            {"type": "Strip", "strip_left": True, "strip_right": True},
        ]},
        "pre_tokenizer": metaspace,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [special("<s>"), seq("A"), special("</s>")],
            "pair": [special("<s>"), seq("A"), special("</s>"), special("</s>"), seq("B"), special("</s>")],
            "special_tokens": {t: {"id": t, "ids": [HF_SPECIALS.index(t)], "tokens": [t]} for t in ("<s>", "</s>")},
        },
        "decoder": metaspace,
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": False},
    }


def write_json(path: str, obj) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def write_tokenizer(texts: list, out: str, vocab_size: int, max_length: int) -> None:
    spm_file = build_spm(texts, out, vocab_size - 2)  # + <pad> and <mask> in the HF ids
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(spm_file, max_length), f, ensure_ascii=False)
    os.remove(os.path.join(out, "seed.model"))
    os.remove(os.path.join(out, "seed.vocab"))
    mask = {"content": "<mask>", "lstrip": True, "normalized": False, "rstrip": False, "single_word": False}
    special = {"bos_token": "<s>", "cls_token": "<s>", "eos_token": "</s>", "mask_token": mask,
               "pad_token": "<pad>", "sep_token": "</s>", "unk_token": "<unk>"}
    write_json(os.path.join(out, "special_tokens_map.json"), special)
    write_json(os.path.join(out, "tokenizer_config.json"), {
        **special, "mask_token": {"__type": "AddedToken", **mask}, "clean_up_tokenization_spaces": True,
        "model_max_length": max_length, "sp_model_kwargs": {}, "tokenizer_class": "XLMRobertaTokenizer"})


# ------------------------------------------------------------------------------------------------ weights + layout

def model_config(a):
    """BAAI/bge-m3's config.json at the defaults (the trainer's XLMRConfig: layer_norm_eps 1e-5, pad 1, ...)."""
    from trainer.model import XLMRConfig
    return XLMRConfig(vocab_size=a.vocab_size, hidden_size=a.hidden, num_hidden_layers=a.layers,
                      num_attention_heads=a.heads, intermediate_size=a.intermediate,
                      max_position_embeddings=a.max_position)


SPARSE_MEAN, SPARSE_SPREAD = 0.2, 0.1  # BGE-M3-like lexical weights: mostly in 0..0.4, varying by token
CALIBRATION_TEXTS, CALIBRATION_PIECES = 32, 48


BETWEEN_DIRECTIONS = 8
CALIBRATION_LENGTHS = (2, 4, 8, 16, 32, 48)  # pieces: queries and passages alike (the hidden state moves with length)


def calibration_ids(spm_file: str, texts: list) -> list:
    """A fixed sample of the demo texts, cut to lengths from a short query's to a passage's, as HF ids
    (<s> pieces </s>, fairseq +1 offset), for calibrating the sparse head."""
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=spm_file)
    step = max(1, len(texts) // CALIBRATION_TEXTS)
    sample = texts[::step][:CALIBRATION_TEXTS]
    return [[0] + [i + 1 if i else 3 for i in sp.encode(t)[:CALIBRATION_LENGTHS[k % len(CALIBRATION_LENGTHS)]]] + [2]
            for k, t in enumerate(sample)]


def calibrate_sparse_head(model, ids: list) -> dict:
    """Point the sparse head along the tokens' spread within a text, away from what moves between texts, scaled and
    shifted so that relu(w·h + b) on real text is about SPARSE_MEAN ± SPARSE_SPREAD: > 0 for nearly every token of
    short and long texts alike, and varying by token.

    The random head it replaces gives every token a weight <= 0 at full size (24 random post-LN layers collapse all
    tokens of a text to nearly one hidden state, on the wrong side of the head's hyperplane), so sparse output, its
    parity and sparse retrieval were all zero there. The between-text directions (the text's mean hidden state
    moves with its length and content) are projected out of the head: otherwise a short query's tokens all land on
    one side. Deterministic: fixed texts, seeded weights, the direction's sign fixed below.
    """
    import torch
    width = max(len(x) for x in ids)
    input_ids = torch.tensor([x + [1] * (width - len(x)) for x in ids])
    mask = (input_ids != 1).long()
    with torch.no_grad():
        h = model.encoder(input_ids, mask).double()  # [B,S,H]
    keep = mask.bool() & (input_ids > 3)  # pieces only: the product drops <s>/</s>/<pad>/<unk> from sparse output
    text_mean = (h * keep[..., None]).sum(1) / keep.sum(1, keepdim=True)  # [B,H]
    within = (h - text_mean[:, None])[keep]  # [N,H] each token's deviation from its text's mean
    # the few main directions texts differ along (not all of them: at a small hidden size that would be every one)
    k = max(1, min(BETWEEN_DIRECTIONS, h.shape[-1] // 8))
    between = torch.linalg.svd(text_mean - text_mean.mean(0), full_matrices=False)[2][:k].T  # [H,k]
    within = within - (within @ between) @ between.T
    _, _, vh = torch.linalg.svd(within, full_matrices=False)
    v = vh[0]
    v = v if v[v.abs().argmax()] > 0 else -v  # an SVD direction's sign is arbitrary: fix it
    spread = float((within @ v).std())
    if not spread > 1e-6:
        raise RuntimeError(f"calibrate_sparse_head: the tokens' hidden states do not vary (spread {spread})")
    w = v * (SPARSE_SPREAD / spread)
    b = SPARSE_MEAN - (h[keep] @ w).median()
    with torch.no_grad():
        model.sparse_linear.weight.copy_(w.float()[None, :])
        model.sparse_linear.bias.copy_(b.float().reshape(1))
    got = torch.relu(model.sparse_linear(h[keep].float()).squeeze(-1))
    return {"tokens": int(keep.sum()), "positive": float((got > 0).float().mean()), "mean": float(got.mean()),
            "std": float(got.std())}


def write_weights(out: str, a) -> int:
    import torch
    from trainer.model import M3Model, save_model
    torch.manual_seed(a.seed)
    model = M3Model(model_config(a)).eval()
    stats = calibrate_sparse_head(model, calibration_ids(os.path.join(out, "sentencepiece.bpe.model"), demo_texts()))
    log(f"sparse head calibrated on {stats['tokens']} demo tokens: {stats['positive']:.1%} positive, "
        f"weight {stats['mean']:.3f} ± {stats['std']:.3f}")
    n = sum(p.numel() for p in model.encoder.parameters())
    save_model(model, out)  # config.json, model.safetensors, colbert_linear.pt, sparse_linear.pt (+ m3studio.json)
    os.remove(os.path.join(out, "m3studio.json"))  # not on the Hub: readers fall back to config.json
    if a.bin:
        torch.save(model.encoder.state_dict(), os.path.join(out, "pytorch_model.bin"))
    return n


def write_sentence_transformers(out: str, hidden: int, max_length: int) -> None:
    write_json(os.path.join(out, "modules.json"), [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    os.makedirs(os.path.join(out, "1_Pooling"))
    write_json(os.path.join(out, "1_Pooling", "config.json"), {
        "word_embedding_dimension": hidden, "pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False,
        "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False})
    write_json(os.path.join(out, "config_sentence_transformers.json"),
               {"__version__": {"sentence_transformers": "2.2.2", "transformers": "4.33.0", "pytorch": "2.1.2+cu121"}})
    write_json(os.path.join(out, "sentence_bert_config.json"), {"max_seq_length": max_length, "do_lower_case": False})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="make-m3-shaped-model")
    ap.add_argument("out")
    ap.add_argument("--layers", type=int, default=24)
    ap.add_argument("--hidden", type=int, default=1024)
    ap.add_argument("--heads", type=int, default=16)
    ap.add_argument("--intermediate", type=int, default=4096)
    ap.add_argument("--vocab-size", type=int, default=250002)
    ap.add_argument("--max-position", type=int, default=8194)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--bin", action="store_true", help="also write pytorch_model.bin (the Hub folder has both)")
    ap.add_argument("--force", action="store_true", help="rebuild even when OUT was made with the same options")
    ap.add_argument("--print-config", action="store_true", help="print the config.json these options give; write nothing")
    a = ap.parse_args(argv)
    if a.hidden % a.heads:
        ap.error(f"--hidden {a.hidden} is not a multiple of --heads {a.heads}")
    if a.vocab_size < 20000:
        ap.error("--vocab-size must be at least 20000 (the trained pieces plus <pad>/<mask>)")
    if a.print_config:
        print(json.dumps(model_config(a).to_hf(), indent=2))
        return 0
    out = os.path.abspath(a.out)
    opts = {k: v for k, v in sorted(vars(a).items()) if k not in ("out", "force", "print_config")}
    stamp = json.dumps({"format": FORMAT, **opts}, sort_keys=True)
    stamp_file = os.path.join(out, ".m3-shaped")
    if not a.force and os.path.isfile(stamp_file) and open(stamp_file).read().strip() == stamp:
        log(f"up to date: {out}")
        return 0
    t0 = time.time()
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    work = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.build-", dir=parent)  # same disk: rename is atomic
    try:
        max_length = a.max_position - 2
        log("tokenizer: training on data/demo/, extending to the full vocabulary")
        write_tokenizer(demo_texts(), work, a.vocab_size, max_length)
        log(f"tokenizer done ({time.time() - t0:.0f}s); weights ({a.layers} layers, hidden {a.hidden})")
        n = write_weights(work, a)
        write_sentence_transformers(work, a.hidden, max_length)
        with open(os.path.join(work, "README.md"), "w", encoding="utf-8") as f:
            f.write("# BGE-M3-shaped stand-in (random weights)\n\nMade by scripts/make-m3-shaped-model.sh: the layout, "
                    "config and tokenizer ids of BAAI/bge-m3 with seeded random weights. It is for size and shape "
                    f"tests only and retrieves nothing. Options: {json.dumps(opts)}\n")
        with open(os.path.join(work, ".m3-shaped"), "w") as f:
            f.write(stamp + "\n")
        os.chmod(work, 0o755)  # mkdtemp makes it 0700; a model folder is read by the worker and the web app
        if os.path.isdir(out):
            shutil.rmtree(out)
        os.rename(work, out)
        log(f"wrote {out}: {n:,} encoder parameters in {time.time() - t0:.0f}s")
        return 0
    finally:
        if os.path.isdir(work):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
