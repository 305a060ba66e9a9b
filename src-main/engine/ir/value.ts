// Value (a named, typed, symbolically shaped tensor in a graph) and Node (one primitive application).

import type { OpDef } from './op-def';
import type { Attrs, Dim, DType, Shape } from './types';

export type ValueKind = 'input' | 'initializer' | 'node';

export class Value {
  constructor(
    readonly name: string,
    readonly dtype: DType,
    readonly shape: Shape,
    readonly kind: ValueKind,
    /** The node that computes it; null for graph inputs and initializers. */
    readonly producer: Node | null,
    /** For 1-D int64 shape tensors: their symbolic content, so Reshape/Expand can infer shapes. */
    readonly known?: readonly Dim[],
    /** Frozen weights receive no gradient (gradients still flow through them). */
    readonly frozen = false,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `${this.name}:${this.dtype}[${this.shape.join(',')}]`;
  }
}

export interface Node {
  readonly id: number;
  readonly op: OpDef;
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  readonly attrs: Attrs;
}
