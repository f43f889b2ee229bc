/**
 * A minimal ONNX ModelProto writer (protobuf wire format), enough to build small compute graphs such as
 * score = Q·Cᵀ followed by TopK at run time, without committing binary model files or needing Python.
 * Field numbers follow onnx/onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, ValueInfoProto).
 */

class Writer {
  private parts: number[] = [];
  varint(v: number): this {
    let n = v;
    while (n > 0x7f) {
      this.parts.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    this.parts.push(n);
    return this;
  }
  tag(field: number, wire: 0 | 2): this {
    return this.varint(field * 8 + wire);
  }
  int(field: number, v: number): this {
    return this.tag(field, 0).varint(v);
  }
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    for (const x of b) this.parts.push(x);
    return this;
  }
  str(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  msg(field: number, m: Writer): this {
    return this.bytes(field, m.finish());
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export const ElemType = { FLOAT: 1, INT64: 7 } as const;

export interface OnnxValueInfo {
  name: string;
  elemType: number;
  /** number = fixed size, string = symbolic dimension. */
  shape: Array<number | string>;
}

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  /** Integer (INT) and integer-list (INTS) attributes only (all our graphs need). */
  attrs?: Record<string, number | number[]>;
}

function valueInfo(v: OnnxValueInfo): Writer {
  const shape = new Writer();
  for (const d of v.shape) shape.msg(1, typeof d === "number" ? new Writer().int(1, d) : new Writer().str(2, d));
  const tensorType = new Writer().int(1, v.elemType).msg(2, shape);
  return new Writer().str(1, v.name).msg(2, new Writer().msg(1, tensorType));
}

export function buildOnnxModel(g: { name: string; nodes: OnnxNode[]; inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[]; opset?: number }): Uint8Array {
  const graph = new Writer();
  g.nodes.forEach((n, i) => {
    const node = new Writer();
    for (const x of n.inputs) node.str(1, x);
    for (const x of n.outputs) node.str(2, x);
    node.str(3, `${n.opType}_${i}`).str(4, n.opType);
    for (const [name, value] of Object.entries(n.attrs ?? {})) {
      const a = new Writer().str(1, name);
      if (Array.isArray(value)) {
        for (const v of value) a.int(8, v);
        a.int(20, 7 /* AttributeType.INTS */);
      } else a.int(3, value).int(20, 2 /* AttributeType.INT */);
      node.msg(5, a);
    }
    graph.msg(1, node);
  });
  graph.str(2, g.name);
  for (const v of g.inputs) graph.msg(11, valueInfo(v));
  for (const v of g.outputs) graph.msg(12, valueInfo(v));
  return new Writer()
    .int(1, 8) // ir_version 8
    .str(2, "m3studio")
    .msg(7, graph)
    .msg(8, new Writer().str(1, "").int(2, g.opset ?? 17))
    .finish();
}
