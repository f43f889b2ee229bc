"""python3 -m trainer {train | encode | export | probe | sp-ids | build-demo | merge}

train   reads one JSON config (trainer/config.py) on stdin (or --config FILE, for torchrun); JSON-line events on stdout; exit 0 done,
        2 bad input ({"event":"error"}), 143 stopped by SIGTERM after a checkpoint.
encode  --model DIR [--device cpu|cuda] [--dtype fp32|fp16|bf16]: JSON-lines inference (docs/CONTRACTS.md).
export  --model DIR [--fp16] [--external-data]: DIR/onnx/model.onnx (+ model.onnx.data when over 2 GiB or forced)
        + a parity line; a graph that fails parity is not kept (trainer/export.py). Exit 1 on failed parity.
probe   --model DIR: PyTorch outputs (dense, sparse, ColBERT) of token-id rows on stdin, for the deploy parity probe.
sp-ids  --model DIR [--sample N]: {"text", "ids"} per line: SentencePiece ids (<s> ... </s>) of each stdin
        line (a JSON string) or of N sentences of the demo data, data/demo/ (tokenizer parity with Node).
build-demo OUT_DIR: the demo model (scripts/build-demo-model.sh).
merge   --base DIR --tuned DIR --weight W --out DIR: W*tuned + (1-W)*base on every weight, heads included
        (trainer/merge.py); one {"event":"done"} line; exit 2 with one error line on mismatched models.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import warnings


def main(argv=None) -> int:
    warnings.filterwarnings("ignore")
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        sys.stderr.write(__doc__)
        return 0 if argv else 2
    cmd, rest = argv[0], argv[1:]
    from .events import TrainerError, emit, fail
    try:
        if cmd == "train":
            from .config import parse_config
            from .lifeline import install as die_with_worker
            from .train import Stop, run
            stop = Stop().install()
            die_with_worker()  # SIGTERM (→ checkpoint, exit 143) once the worker is gone, not an orphaned run
            # the config comes on stdin; `--config FILE` is for launchers that don't forward stdin (torchrun)
            if rest[:1] == ["--config"] and len(rest) > 1:
                with open(rest[1], encoding="utf-8") as f:
                    cfg = parse_config(f.read())
            else:
                cfg = parse_config(sys.stdin.read())
            return run(cfg, stop)
        if cmd == "encode":
            ap = argparse.ArgumentParser(prog="trainer encode")
            ap.add_argument("--model", required=True)
            ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
            ap.add_argument("--dtype", default="fp32", choices=["fp32", "fp16", "bf16"])
            a = ap.parse_args(rest)
            from .encode import serve
            return serve(a.model, a.device, a.dtype)
        if cmd == "export":
            ap = argparse.ArgumentParser(prog="trainer export")
            ap.add_argument("--model", required=True)
            ap.add_argument("--fp16", action="store_true")
            ap.add_argument("--external-data", action="store_true", help="weights in model.onnx.data even when small")
            a = ap.parse_args(rest)
            if not os.path.isdir(a.model):
                raise TrainerError(f"model folder {a.model!r} not found", "missing_model")
            from .export import export_folder
            res = export_folder(a.model, a.fp16, external_data=True if a.external_data else None)
            print(json.dumps(res), flush=True)
            return 0 if res["ok"] else 1
        if cmd == "probe":
            ap = argparse.ArgumentParser(prog="trainer probe")
            ap.add_argument("--model", required=True)
            a = ap.parse_args(rest)
            if not os.path.isdir(a.model):
                raise TrainerError(f"model folder {a.model!r} not found", "missing_model")
            from .probe import main as probe_main
            return probe_main(a.model)
        if cmd == "sp-ids":
            ap = argparse.ArgumentParser(prog="trainer sp-ids")
            ap.add_argument("--model", required=True)
            ap.add_argument("--sample", type=int, default=0, help="N sentences of the demo data (data/demo/) instead of stdin")
            a = ap.parse_args(rest)
            from .demo.parity import sp_ids
            return sp_ids(a.model, a.sample)
        if cmd == "merge":
            ap = argparse.ArgumentParser(prog="trainer merge")
            ap.add_argument("--base", required=True)
            ap.add_argument("--tuned", required=True)
            ap.add_argument("--weight", type=float, required=True, help="the tuned model's share, 0..1")
            ap.add_argument("--out", required=True)
            a = ap.parse_args(rest)
            from .merge import main as merge_main
            return merge_main(a.base, a.tuned, a.weight, a.out)
        if cmd == "build-demo":
            from .demo.build import main as build_main
            return build_main(rest)
        raise TrainerError(f"unknown command {cmd!r}", "usage")
    except TrainerError as e:
        return fail(e)
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # unexpected: still one error line, traceback on stderr
        import traceback
        traceback.print_exc()
        emit("error", code="internal", reason=f"{type(e).__name__}: {e}".replace("\n", " "))
        return 1


if __name__ == "__main__":
    sys.exit(main())
