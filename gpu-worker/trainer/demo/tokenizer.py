"""Train the demo SentencePiece unigram model (XLM-R special ids) and write it as a Hugging Face tokenizer.json."""
from __future__ import annotations

import base64
import json
import os
from typing import Iterable

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as pb

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]  # ids 0..3 as in XLM-R


def train_spm(sentences: Iterable[str], prefix: str, vocab_size: int = 8000, threads: int = 2) -> str:
    txt = prefix + ".txt"
    with open(txt, "w", encoding="utf-8") as f:
        for s in sentences:
            f.write(s.replace("\n", " ") + "\n")
    if hasattr(spm, "set_random_generator_seed"):
        spm.set_random_generator_seed(1234)
    spm.SentencePieceTrainer.train(
        input=txt, model_prefix=prefix, model_type="unigram", vocab_size=vocab_size, character_coverage=0.9995,
        bos_id=0, pad_id=1, eos_id=2, unk_id=3, bos_piece="<s>", pad_piece="<pad>", eos_piece="</s>",
        unk_piece="<unk>", normalization_rule_name="nmt_nfkc", num_threads=threads, input_sentence_size=60000,
        shuffle_input_sentence=True, max_sentence_length=8192, minloglevel=2)
    os.remove(txt)
    return prefix + ".model"


def hf_tokenizer_json(model_file: str, max_length: int = 512) -> dict:
    m = pb.ModelProto()
    with open(model_file, "rb") as f:
        m.ParseFromString(f.read())
    vocab = [[p.piece, float(p.score)] for p in m.pieces]
    assert [v[0] for v in vocab[:4]] == SPECIALS, vocab[:4]
    charsmap = base64.b64encode(m.normalizer_spec.precompiled_charsmap).decode("ascii")
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False,
              "special": True} for i, t in enumerate(SPECIALS)]
    special = lambda t: {"SpecialToken": {"id": t, "type_id": 0}}  # noqa: E731
    seq = lambda s: {"Sequence": {"id": s, "type_id": 0}}  # noqa: E731
    metaspace = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
    return {
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": max_length, "strategy": "LongestFirst", "stride": 0},
        "padding": None,
        "added_tokens": added,
        # sentencepiece's nmt_nfkc (its own precompiled charsmap), then its remove_extra_whitespaces
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
            "special_tokens": {t: {"id": t, "ids": [SPECIALS.index(t)], "tokens": [t]} for t in ("<s>", "</s>")},
        },
        "decoder": metaspace,
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": False},
    }


def write_tokenizer_files(model_file: str, out_dir: str, max_length: int = 512) -> None:
    with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(hf_tokenizer_json(model_file, max_length), f, ensure_ascii=False)
    special = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
               "pad_token": "<pad>", "cls_token": "<s>"}
    with open(os.path.join(out_dir, "special_tokens_map.json"), "w", encoding="utf-8") as f:
        json.dump(special, f, indent=2)
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"tokenizer_class": "XLMRobertaTokenizer", "model_max_length": max_length, **special,
                   "clean_up_tokenization_spaces": True}, f, indent=2)
