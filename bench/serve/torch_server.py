"""Minimal PyTorch HTTP embedding server: the baseline for bench/serve (what the article's /encode service is).

One request = one forward pass over that request's inputs (no cross-request batching, no cache, no admission
control; one forward at a time, see the lock below), on the trainer's own XLM-R (gpu-worker/trainer/model.py, fp32, eval, no_grad) — the same weights the
ONNX graph was exported from. Tokenizes with SentencePiece (the demo model's spm.model: its ids are the model's
ids, <s>=0 <pad>=1 </s>=2 <unk>=3), truncates to max_length. POST /v1/embeddings answers the OpenAI shape
(dense, float). Prints {"event": "ready", "port": N} on stdout when listening.

Usage: /usr/bin/python3 bench/serve/torch_server.py MODEL_DIR SPM_MODEL [--port 0] [--threads 2]
"""
import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "gpu-worker"))

import sentencepiece as spm  # noqa: E402
import torch  # noqa: E402

from trainer.model import load_model  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("spm")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model = load_model(a.model).eval()
    with open(os.path.join(a.model, "m3studio.json"), encoding="utf-8") as f:
        max_length = int(json.load(f).get("max_length", model.config.max_length))
    sp = spm.SentencePieceProcessor(model_file=a.spm)
    pad = model.config.pad_token_id

    # One lock around tokenizer + forward. Concurrent forward passes from several Python threads corrupt the heap
    # with Debian's torch 1.13 + OpenBLAS (pthread build: "malloc(): unsorted double linked list corrupted" at 128
    # clients), so a correct server on this stack runs one request at a time, on --threads intra-op threads.
    sp_lock = threading.Lock()

    def embed(texts):
        with sp_lock:
            rows = [([0] + sp.encode(t))[: max_length - 1] + [2] for t in texts]
            n = max(len(r) for r in rows)
            ids = torch.full((len(rows), n), pad, dtype=torch.long)
            mask = torch.zeros((len(rows), n), dtype=torch.long)
            for i, r in enumerate(rows):
                ids[i, : len(r)] = torch.tensor(r)
                mask[i, : len(r)] = 1
            with torch.no_grad():
                dense = model(ids, mask)["dense"]
            return dense.tolist(), sum(len(r) for r in rows)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def reply(self, status, obj):
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                inp = body["input"]
                texts = [inp] if isinstance(inp, str) else inp
                vecs, tokens = embed(texts)
                self.reply(200, {"object": "list", "model": "torch", "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
                                 "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vecs)]})
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client went away (end of a bench phase)
            except Exception as e:  # noqa: BLE001
                self.reply(500, {"error": {"message": str(e), "type": "server_error"}})

    class Server(ThreadingHTTPServer):
        request_queue_size = 1024
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass  # broken pipes when the load generator stops

    srv = Server(("127.0.0.1", a.port), Handler)
    print(json.dumps({"event": "ready", "port": srv.server_address[1]}), flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
