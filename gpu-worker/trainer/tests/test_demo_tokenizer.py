"""The tokenizer.json writer (on a tiny SentencePiece model) and the held-out split rule."""
import json

from trainer.demo import data
from trainer.demo.tokenizer import hf_tokenizer_json, train_spm


def test_tokenizer_json_structure(tmp_path):
    words = ["liver", "stomach", "pain", "syndrome", "gene", "肝", "胃", "疼", "医生", "症状"]
    sents = [" ".join(words[(i + k) % len(words)] for k in range(6)) for i in range(300)]
    model = train_spm(sents, str(tmp_path / "spm"), vocab_size=30, threads=1)
    tj = hf_tokenizer_json(model, 128)
    assert [v[0] for v in tj["model"]["vocab"][:4]] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert tj["model"]["type"] == "Unigram" and tj["model"]["unk_id"] == 3
    assert tj["pre_tokenizer"]["type"] == "Metaspace"
    assert [n["type"] for n in tj["normalizer"]["normalizers"]] == ["Precompiled", "Replace", "Strip"]
    assert tj["normalizer"]["normalizers"][0]["precompiled_charsmap"]
    post = tj["post_processor"]
    assert post["type"] == "TemplateProcessing" and post["special_tokens"]["<s>"]["ids"] == [0]
    assert [t["id"] for t in tj["added_tokens"]] == [0, 1, 2, 3]
    json.dumps(tj)


def test_split_is_by_group():
    assert data.is_test("en:abcd syndrome") == data.is_test("en:abcd syndrome")
    keys = [f"en:focus {i}" for i in range(2000)]
    share = sum(map(data.is_test, keys)) / len(keys)
    assert 0.07 < share < 0.13
    r1 = data.Row("en:1", "en", "q1", "a", "en:x")
    r2 = data.Row("en:2", "en", "q2", "b", "en:x")
    assert r1.test == r2.test  # one focus, one side of the split
