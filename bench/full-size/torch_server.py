"""Minimal PyTorch HTTP embedding server on a BGE-M3-layout folder: bench/full-size's serving baseline.

The same baseline as bench/serve/torch_server.py (one forward pass per request, no batching across requests, no
cache, one forward at a time — Debian's torch 1.13 + OpenBLAS corrupts its heap with concurrent forwards), but it
tokenises as transformers' XLMRobertaTokenizer does for BAAI/bge-m3: sentencepiece.bpe.model ids + 1 (fairseq
offset), <s> 0, </s> 2, <unk> 3. POST /v1/embeddings answers the OpenAI shape (dense, float).
Prints {"event": "ready", "port": N} on stdout when listening.

Usage: /usr/bin/python3 bench/full-size/torch_server.py MODEL_DIR [--port 0] [--threads 2] [--max-length 512]
       [--device cpu|cuda]
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
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-length", type=int, default=512)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model = load_model(a.model, a.device).eval()
    sp = spm.SentencePieceProcessor(model_file=os.path.join(a.model, "sentencepiece.bpe.model"))
    pad = model.config.pad_token_id
    lock = threading.Lock()

    def embed(texts):
        with lock:
            rows = [([0] + [i + 1 if i > 0 else 3 for i in sp.encode(t)])[: a.max_length - 1] + [2] for t in texts]
            n = max(len(r) for r in rows)
            ids = torch.full((len(rows), n), pad, dtype=torch.long)
            mask = torch.zeros((len(rows), n), dtype=torch.long)
            for i, r in enumerate(rows):
                ids[i, : len(r)] = torch.tensor(r)
                mask[i, : len(r)] = 1
            with torch.no_grad():
                dense = model(ids.to(a.device), mask.to(a.device))["dense"]
            return dense.cpu().tolist(), sum(len(r) for r in rows)

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
                vecs, tokens = embed([inp] if isinstance(inp, str) else inp)
                self.reply(200, {"object": "list", "model": "torch", "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
                                 "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vecs)]})
            except (BrokenPipeError, ConnectionResetError):
                pass  # the load generator went away at the end of a slice
            except Exception as e:  # noqa: BLE001
                self.reply(500, {"error": {"message": str(e), "type": "server_error"}})

    class Server(ThreadingHTTPServer):
        request_queue_size = 1024
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass

    srv = Server(("127.0.0.1", a.port), Handler)
    print(json.dumps({"event": "ready", "port": srv.server_address[1]}), flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
