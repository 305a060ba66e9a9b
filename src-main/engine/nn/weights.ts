// Checkpoint weights as graph values: frozen ones as external initializers read in place, trainable ones as inputs.
//
// Main resolves .safetensors headers into WeightRefs (JSON) and hard-links the files beside the .onnx
// (see graph-folder.ts), so `location` is a plain relative name. Frozen F16/BF16 weights are cast to
// float32 inside the graph. Our IR has no bfloat16 dtype, so a BF16 tensor is declared as float16
// (same 2-byte width, so length checks hold) and its TensorProto data_type is rewritten to BFLOAT16
// when serializing (serialize.ts). Measured with onnxruntime-node 1.30: the CPU provider casts a
// BFLOAT16 external initializer to float32 exactly, also at an odd byte offset, with graph
// optimisation on or off.

import type { Graph } from '../ir/graph';
import type { DType } from '../ir/types';
import type { Value } from '../ir/value';
import { markInFormat } from '../precision/emulate';

export type WeightDtype = 'F32' | 'F16' | 'BF16';
export const WEIGHT_DTYPES: readonly WeightDtype[] = ['F32', 'F16', 'BF16'];

/** One checkpoint tensor: where its bytes lie, relative to the folder the .onnx is written to. */
export interface WeightRef {
  /** The checkpoint's name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  name: string;
  dtype: WeightDtype;
  shape: number[];
  /** File name relative to the .onnx folder (no absolute paths, no `..`). */
  location: string;
  /** Absolute byte offset inside that file (8 + header length + data_offsets[0] for safetensors). */
  offset: number;
  /** Byte length. */
  length: number;
}

/** How checkpoint weights enter the graph: 'frozen' = external initializers, 'input' = float32 graph inputs. */
export type WeightMode = 'frozen' | 'input';

const IR_DTYPE: Record<WeightDtype, DType> = { F32: 'float32', F16: 'float16', BF16: 'float16' };

/** Resolves checkpoint names to float32 graph values, once each, with errors that name the tensor. */
export class WeightSource {
  private readonly refs = new Map<string, WeightRef>();
  private readonly values = new Map<string, Value>();
  /** Raw initializers whose bytes are bfloat16 (declared float16 in the IR). */
  readonly bf16Initializers: string[] = [];
  /** Graph inputs created in 'input' mode, in creation order. */
  readonly inputs: Value[] = [];

  constructor(
    private readonly g: Graph,
    refs: readonly WeightRef[],
    private readonly modeOf: (name: string) => WeightMode,
  ) {
    for (const r of refs) this.refs.set(r.name, r);
  }

  has(name: string): boolean {
    return this.refs.has(name);
  }

  ref(name: string): WeightRef {
    const r = this.refs.get(name);
    if (!r) throw new Error(`weight '${name}' is missing from the checkpoint`);
    return r;
  }

  /** The float32 value of checkpoint tensor `name`, checked against the shape the architecture expects. */
  get(name: string, expected: readonly number[]): Value {
    const cached = this.values.get(name);
    if (cached) return cached;
    const r = this.ref(name);
    if (!WEIGHT_DTYPES.includes(r.dtype)) {
      throw new Error(`weight '${name}' has unsupported dtype ${JSON.stringify(r.dtype)} (supported: ${WEIGHT_DTYPES.join(', ')})`);
    }
    if (r.shape.length !== expected.length || r.shape.some((d, i) => d !== expected[i])) {
      throw new Error(`weight '${name}' has shape [${r.shape}], the config implies [${expected}]`);
    }
    const v = this.modeOf(name) === 'input' ? this.asInput(r) : this.asExternal(r);
    this.values.set(name, v);
    return v;
  }

  private asInput(r: WeightRef): Value {
    const v = this.g.input(r.name, 'float32', r.shape);
    this.inputs.push(v);
    return v;
  }

  private asExternal(r: WeightRef): Value {
    const raw = this.g.external(r.name, IR_DTYPE[r.dtype], r.shape, { location: r.location, offset: r.offset, length: r.length }, { frozen: true });
    if (r.dtype === 'BF16') this.bf16Initializers.push(r.name);
    const v = this.g.cast(raw, 'float32');
    // Emulated autocast then needs no rounding of these weights: their values already are bf16 / fp16 numbers.
    if (r.dtype !== 'F32') markInFormat(v, r.dtype === 'BF16' ? 'bf16' : 'fp16');
    return v;
  }
}
