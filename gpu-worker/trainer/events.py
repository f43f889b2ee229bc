"""Trainer protocol output: one JSON object per line on stdout; free text goes to stderr."""
from __future__ import annotations

import json
import math
import sys
from typing import Any


class TrainerError(Exception):
    """A user-facing failure: reported as one `{"event":"error"}` line, exit code 2."""

    def __init__(self, reason: str, code: str = "invalid_input"):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def emit(event: str, **fields: Any) -> None:
    obj = {"event": event, **{k: _clean(v) for k, v in fields.items()}}
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def log(msg: str) -> None:
    try:
        sys.stderr.write(msg.rstrip("\n") + "\n")
        sys.stderr.flush()
    except OSError:  # the reader (the worker) is gone: a log line must not break the checkpoint that follows
        pass


def fail(err: TrainerError) -> int:
    emit("error", code=err.code, reason=err.reason.replace("\n", " "))
    return 2
