"""A checkpoint's (and a merged model's) folder carries the base's sentence-transformers files, so the Hugging Face
layout download loads as a SentenceTransformer (CLS pooling, then Normalize) like BAAI/bge-m3 does."""
import glob
import json
import os

from trainer.config import parse_config
from trainer.train import Stop, run

from .conftest import base_config, events, run_cli

MODULES = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
           {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
           {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
POOLING = {"word_embedding_dimension": 32, "pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}
ST_CONFIG = {"__version__": {"sentence_transformers": "2.2.2"}, "prompts": {}, "default_prompt_name": None}
BERT_CONFIG = {"max_seq_length": 64, "do_lower_case": False}


def _add_st_files(folder: str) -> None:
    for name, obj in (("modules.json", MODULES), ("config_sentence_transformers.json", ST_CONFIG),
                      ("sentence_bert_config.json", BERT_CONFIG)):
        with open(os.path.join(folder, name), "w") as f:
            json.dump(obj, f)
    os.makedirs(os.path.join(folder, "1_Pooling"))
    with open(os.path.join(folder, "1_Pooling", "config.json"), "w") as f:
        json.dump(POOLING, f)
    os.makedirs(os.path.join(folder, "2_Normalize"))  # sentence-transformers writes it empty


def _assert_st_files(folder: str) -> None:
    assert json.load(open(os.path.join(folder, "modules.json"))) == MODULES, folder
    assert json.load(open(os.path.join(folder, "1_Pooling", "config.json"))) == POOLING, folder
    assert json.load(open(os.path.join(folder, "config_sentence_transformers.json"))) == ST_CONFIG, folder
    assert json.load(open(os.path.join(folder, "sentence_bert_config.json"))) == BERT_CONFIG, folder
    assert os.path.isdir(os.path.join(folder, "2_Normalize")), folder


def _train(tmp_path, **over) -> dict:
    cfg = base_config(tmp_path, mode="dense", max_steps=2, save_steps=1, **over)
    _add_st_files(cfg["model"])
    assert run(parse_config(json.dumps(cfg)), Stop(), lambda step, loss: None) == 0
    return cfg


def test_checkpoints_and_final_model_carry_the_sentence_transformers_files(tmp_path):
    cfg = _train(tmp_path)
    folders = [os.path.join(cfg["output_dir"], "model")] + sorted(glob.glob(os.path.join(cfg["output_dir"], "checkpoint-*", "model")))
    assert len(folders) >= 2, folders  # the final model and at least one step checkpoint
    for folder in folders:
        _assert_st_files(folder)


def test_a_lora_run_merged_with_its_base_carries_them(tmp_path):
    cfg = _train(tmp_path, lora={"r": 4, "alpha": 8, "target_modules": ["query", "value"]})
    out = str(tmp_path / "merged")
    r = run_cli(["merge", "--base", cfg["model"], "--tuned", os.path.join(cfg["output_dir"], "model"),
                 "--weight", "0.5", "--out", out])
    assert r.returncode == 0 and events(r.stdout)[-1]["event"] == "done", r.stdout + r.stderr
    _assert_st_files(out)


def test_a_base_without_them_gives_a_folder_without_them(tmp_path):
    cfg = base_config(tmp_path, mode="dense", max_steps=1)
    assert run(parse_config(json.dumps(cfg)), Stop(), lambda step, loss: None) == 0
    folder = os.path.join(cfg["output_dir"], "model")
    assert os.path.isfile(os.path.join(folder, "model.safetensors"))
    for name in ("modules.json", "1_Pooling", "config_sentence_transformers.json", "sentence_bert_config.json"):
        assert not os.path.exists(os.path.join(folder, name)), name
