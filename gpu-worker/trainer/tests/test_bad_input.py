"""Bad input: non-zero exit, one-line {"event":"error"}, and nothing written to output_dir."""
import json
import os

import pytest

from .conftest import base_config, events, run_cli


def _expect_error(tmp_path, cfg_text: str, needle: str):
    r = run_cli(["train"], cfg_text)
    assert r.returncode != 0
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1, r.stdout
    ev = json.loads(lines[0])
    assert ev["event"] == "error" and needle in ev["reason"], ev
    assert not os.path.exists(tmp_path / "out")


@pytest.mark.parametrize("patch,needle", [
    ({"learning_rte": 1e-5}, "unknown config field 'learning_rte'"),
    ({"batch_size": "4"}, "'batch_size' must be an integer"),
    ({"lora": {"r": 4, "alhpa": 8}}, "unknown config field 'lora.alhpa'"),
    ({"mode": "sparse-only"}, "'mode' must be one of"),
])
def test_bad_config(tmp_path, patch, needle):
    _expect_error(tmp_path, json.dumps(base_config(tmp_path, **patch)), needle)


def test_not_json(tmp_path):
    _expect_error(tmp_path, "{model: 1", "not valid JSON")


def test_missing_model_folder(tmp_path):
    _expect_error(tmp_path, json.dumps(base_config(tmp_path, model=str(tmp_path / "nope"))), "not found")


def test_token_id_out_of_range(tmp_path):
    cfg = base_config(tmp_path)
    with open(cfg["train_data"][0], "a") as f:
        f.write(json.dumps({"query": [0, 5, 2], "pos": [[0, 64, 2]], "neg": []}) + "\n")
    _expect_error(tmp_path, json.dumps(cfg), "token id 64 out of range [0, 64)")


def test_empty_dataset(tmp_path):
    cfg = base_config(tmp_path)
    open(cfg["train_data"][0], "w").close()
    _expect_error(tmp_path, json.dumps(cfg), "is empty")


def test_missing_data_file(tmp_path):
    _expect_error(tmp_path, json.dumps(base_config(tmp_path, train_data=[str(tmp_path / "x.jsonl")])), "not found")
