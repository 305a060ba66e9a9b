// Graph storage: inputs, initializers (inline or external), nodes in topological order, outputs, naming.

import type { OpDef } from './op-def';
import { Value, type Node } from './value';
import {
  bytesPerElement, isExternal, type Attrs, type DType, type ExternalRef, type Shape, type TensorPayload,
} from './types';
import { numel } from './shape';

export interface Initializer {
  readonly value: Value;
  readonly payload: TensorPayload;
}

export class GraphCore {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly initializers: Initializer[] = [];
  readonly outputs: Value[] = [];
  private readonly names = new Set<string>();
  private readonly counters = new Map<string, number>();

  constructor(readonly name = 'graph') {}

  /** A name not yet used in this graph, derived from `base`. */
  uniqueName(base: string): string {
    if (!this.names.has(base)) return base;
    let i = this.counters.get(base) ?? 1;
    while (this.names.has(`${base}_${i}`)) i++;
    this.counters.set(base, i + 1);
    return `${base}_${i}`;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`duplicate value name '${name}'`);
    this.names.add(name);
    return name;
  }

  input(name: string, dtype: DType, shape: Shape): Value {
    const v = new Value(this.claim(name), dtype, shape, 'input', null);
    this.inputs.push(v);
    return v;
  }

  /** A weight whose bytes are in the graph or (see `external`) in a file beside it. */
  initializer(name: string, payload: TensorPayload, opts: { frozen?: boolean } = {}): Value {
    if (!isExternal(payload) && payload.data.length !== numel(payload.shape)) {
      throw new Error(`initializer '${name}': ${payload.data.length} elements for shape [${payload.shape}]`);
    }
    const v = new Value(this.claim(name), payload.dtype, payload.shape, 'initializer', null, undefined, !!opts.frozen);
    this.initializers.push({ value: v, payload });
    return v;
  }

  /**
   * A weight read by ORT from `ref.location` (relative to the .onnx file's folder) at
   * `ref.offset`, e.g. straight out of a .safetensors file, so multi-GB weights are never copied.
   */
  external(name: string, dtype: DType, shape: readonly number[], ref: ExternalRef, opts: { frozen?: boolean } = {}): Value {
    checkLocation(ref.location);
    const expected = numel(shape) * bytesPerElement(dtype);
    if (ref.length !== expected) throw new Error(`external '${name}': length ${ref.length} != ${expected} bytes`);
    if (!Number.isInteger(ref.offset) || ref.offset < 0) throw new Error(`external '${name}': bad offset ${ref.offset}`);
    return this.initializer(name, { dtype, shape, external: ref }, opts);
  }

  /** Marks `v` as a graph output; renaming goes through an Identity node because ONNX outputs are value names. */
  output(v: Value, name?: string): Value {
    const out = name === undefined || name === v.name ? v : this.renamed(v, name);
    if (this.outputs.includes(out)) throw new Error(`'${out.name}' is already an output`);
    this.outputs.push(out);
    return out;
  }

  /** Overridden by Graph to insert an Identity node. */
  protected renamed(_v: Value, _name: string): Value {
    throw new Error('renaming outputs needs a Graph');
  }

  /** Applies a primitive: runs its shape rule and records the node. */
  apply(op: OpDef, inputs: readonly Value[], attrs: Attrs = {}, outNames?: readonly string[]): Value[] {
    const specs = op.infer(inputs, attrs);
    const id = this.nodes.length;
    const outputs: Value[] = [];
    const node: Node = { id, op, inputs, outputs, attrs };
    specs.forEach((s, i) => {
      const name = outNames?.[i] !== undefined ? this.claim(outNames[i]) : this.claim(this.uniqueName(`${op.name.toLowerCase()}_${id}`));
      outputs.push(new Value(name, s.dtype, s.shape, 'node', node, s.known));
    });
    this.nodes.push(node);
    return outputs;
  }
}

/** ORT only reads external data inside the model's folder: no absolute paths, no '..'. */
export function checkLocation(location: string): void {
  if (location === '' || location.startsWith('/') || location.startsWith('\\') || /^[A-Za-z]:/.test(location)) {
    throw new Error(`external location must be a relative path, got '${location}'`);
  }
  if (location.split(/[\\/]/).some((p) => p === '..')) {
    throw new Error(`external location must stay inside the model folder, got '${location}'`);
  }
}
