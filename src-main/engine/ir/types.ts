// IR vocabulary: dtypes, symbolic dims and shapes, tensor payloads (inline or external), node attributes.

export type DType = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'bool';

/** A dimension: a number when known at build time, a symbol ('B', 'S', 'B*S') when bound at run time. */
export type Dim = number | string;
export type Shape = readonly Dim[];

/** Typed array that holds a tensor's elements; float16 travels as raw Uint16 bits, bool as Uint8. */
export type TensorArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint16Array | Uint8Array;

/** A tensor whose bytes live in the graph (small constants, test weights). */
export interface InlineTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorArray;
}

/**
 * A tensor stored in another file beside the .onnx (e.g. inside a .safetensors file):
 * `location` is relative to the .onnx file's folder, `offset`/`length` in bytes.
 */
export interface ExternalRef {
  readonly location: string;
  readonly offset: number;
  readonly length: number;
}

export interface ExternalTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly external: ExternalRef;
}

export type TensorPayload = InlineTensor | ExternalTensor;

/** Plain-JS node attributes; each op's emitter decides their ONNX attribute types. */
export type AttrValue = number | string | boolean | readonly number[] | InlineTensor;
export type Attrs = Readonly<Record<string, AttrValue>>;

export const FLOAT_DTYPES: ReadonlySet<DType> = new Set(['float32', 'float64', 'float16']);

export function isFloat(dtype: DType): boolean {
  return FLOAT_DTYPES.has(dtype);
}

export function bytesPerElement(dtype: DType): number {
  switch (dtype) {
    case 'float64':
    case 'int64':
      return 8;
    case 'float32':
    case 'int32':
      return 4;
    case 'float16':
      return 2;
    case 'bool':
      return 1;
  }
}

export function isExternal(t: TensorPayload): t is ExternalTensor {
  return 'external' in t;
}
