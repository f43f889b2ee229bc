"""Dynamic int8 quantization of an exported BGE-M3 ONNX graph (the article's quantisation step, CPU serving).

Every MatMul whose right operand is a rank-2 float initializer W [K, N] becomes
    x_q, x_scale, x_zp = DynamicQuantizeLinear(x)            # activations: uint8, per tensor, at run time
    y = Cast(MatMulInteger(x_q, W_q, x_zp, 0)) * (x_scale * w_scale)   # weights: int8, symmetric, per column
which onnxruntime fuses into MatMulIntegerToFloat (VNNI/AVX2 int8 GEMM). Embeddings, LayerNorm, softmax and
the heads' normalisation stay fp32; inputs/outputs are unchanged, so the same encoder code loads it.
This is an approximation of the fp32 model (report its agreement; it is not covered by the 1e-4 parity).

  /usr/bin/python3 gpu-worker/inference/quantize/quantize_int8.py MODEL_DIR   # writes onnx/model.int8.onnx
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def quantize(src: str, dst: str) -> dict:
    m = onnx.load(src)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    new_nodes, new_inits, dropped, count = [], [], set(), 0
    for n in g.node:
        w = inits.get(n.input[1]) if n.op_type == "MatMul" and len(n.input) == 2 else None
        if w is None or len(w.dims) != 2 or w.data_type != TensorProto.FLOAT:
            new_nodes.append(n)
            continue
        W = numpy_helper.to_array(w).astype(np.float32)
        scale = np.maximum(np.abs(W).max(axis=0), 1e-12) / 127.0  # [N]
        Wq = np.clip(np.round(W / scale), -127, 127).astype(np.int8)
        p = f"{n.name or n.output[0]}_q{count}"
        new_inits += [
            numpy_helper.from_array(Wq, p + "_W"),
            numpy_helper.from_array(scale.astype(np.float32), p + "_Ws"),
            numpy_helper.from_array(np.zeros(W.shape[1], dtype=np.int8), p + "_Wz"),
        ]
        x = n.input[0]
        new_nodes += [
            helper.make_node("DynamicQuantizeLinear", [x], [p + "_xq", p + "_xs", p + "_xz"], name=p + "_dql"),
            helper.make_node("MatMulInteger", [p + "_xq", p + "_W", p + "_xz", p + "_Wz"], [p + "_yi"], name=p + "_mmi"),
            helper.make_node("Cast", [p + "_yi"], [p + "_yf"], to=TensorProto.FLOAT, name=p + "_cast"),
            helper.make_node("Mul", [p + "_xs", p + "_Ws"], [p + "_s"], name=p + "_scale"),
            helper.make_node("Mul", [p + "_yf", p + "_s"], [n.output[0]], name=p + "_mul"),
        ]
        dropped.add(w.name)
        count += 1
    still_used = {i for node in new_nodes for i in node.input}
    kept = [i for i in g.initializer if i.name not in dropped or i.name in still_used]
    del g.node[:]
    g.node.extend(new_nodes)
    del g.initializer[:]
    g.initializer.extend(kept + new_inits)
    tmp = f"{dst}.tmp-{os.getpid()}"
    onnx.save(m, tmp)
    os.replace(tmp, dst)
    return {"quantized_matmuls": count, "path": dst, "bytes": os.path.getsize(dst)}


if __name__ == "__main__":
    d = sys.argv[1]
    print(json.dumps(quantize(os.path.join(d, "onnx", "model.onnx"), os.path.join(d, "onnx", "model.int8.onnx"))))
