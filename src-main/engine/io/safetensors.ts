// Reads and writes .safetensors files: an 8-byte little-endian header length, a JSON header, then raw tensor bytes.
// Lives in the engine because the engine process writes checkpoints and adapters; models/ re-exports it for main.
// Reading returns where each tensor lies in the file, so the engine can point ONNX external data at it without copying.
import { closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export interface TensorLocation {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  file: string;
  /** Absolute byte offset of the first element in the file (8 + header length + data_offsets[0]). */
  offset: number;
  byteLength: number;
}

export interface SafetensorsHeader {
  tensors: Map<string, TensorLocation>;
  metadata: Record<string, string>;
  dataStart: number;
}

const MAX_HEADER_BYTES = 100 * 1024 * 1024; // the format's own limit

/** Parses the header only; throws an error naming the file and what is wrong. */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    if (size < 8) throw new Error(`${file}: not a safetensors file (only ${size} bytes).`);
    const lenBuf = Buffer.alloc(8);
    readSync(fd, lenBuf, 0, 8, 0);
    const headerLength = Number(lenBuf.readBigUInt64LE(0));
    if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
      throw new Error(`${file}: not a safetensors file (header length ${headerLength} does not fit a ${size}-byte file).`);
    }
    const headerBuf = Buffer.alloc(headerLength);
    readSync(fd, headerBuf, 0, headerLength, 8);
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(headerBuf.toString('utf8'));
    } catch (err) {
      throw new Error(`${file}: the safetensors header is not valid JSON (${(err as Error).message}).`, { cause: err });
    }
    if (!header || typeof header !== 'object' || Array.isArray(header)) {
      throw new Error(`${file}: the safetensors header must be a JSON object of tensors, got ${Array.isArray(header) ? 'an array' : typeof header}.`);
    }
    const dataStart = 8 + headerLength;
    const tensors = new Map<string, TensorLocation>();
    let metadata: Record<string, string> = {};
    for (const [name, entry] of Object.entries(header)) {
      if (name === '__metadata__') {
        metadata = parseMetadata(file, entry);
        continue;
      }
      tensors.set(name, parseEntry(file, name, entry, dataStart, size));
    }
    checkLayout(file, [...tensors.values()], dataStart, size);
    return { tensors, metadata, dataStart };
  } finally {
    closeSync(fd);
  }
}

function parseMetadata(file: string, entry: unknown): Record<string, string> {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry) || !Object.values(entry).every((v) => typeof v === 'string')) {
    throw new Error(`${file}: the safetensors __metadata__ must map names to strings.`);
  }
  return entry as Record<string, string>;
}

function parseEntry(file: string, name: string, entry: unknown, dataStart: number, fileSize: number): TensorLocation {
  const e = entry as { dtype?: string; shape?: unknown; data_offsets?: unknown };
  if (!e || typeof e.dtype !== 'string' || !(e.dtype in DTYPE_BYTES)) {
    throw new Error(`${file}: tensor ${name} has unsupported dtype ${JSON.stringify(e?.dtype)} (supported: ${Object.keys(DTYPE_BYTES).join(', ')}).`);
  }
  const shape = e.shape as number[];
  const offsets = e.data_offsets as [number, number];
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${file}: tensor ${name} has a malformed shape ${JSON.stringify(e.shape)} (expected a list of non-negative integers).`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
    throw new Error(`${file}: tensor ${name} has malformed data_offsets ${JSON.stringify(e.data_offsets)} (expected [begin, end], non-negative integers with begin ≤ end).`);
  }
  const dtype = e.dtype as SafetensorsDtype;
  const byteLength = offsets[1] - offsets[0];
  const expected = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
  if (byteLength !== expected) {
    throw new Error(`${file}: tensor ${name} spans ${byteLength} bytes but ${dtype}${JSON.stringify(shape)} needs ${expected}.`);
  }
  if (dataStart + offsets[1] > fileSize) {
    throw new Error(`${file}: tensor ${name} runs past the end of the file (its data ends at byte ${dataStart + offsets[1]} of ${fileSize}).`);
  }
  return { name, dtype, shape, file, offset: dataStart + offsets[0], byteLength };
}

/**
 * The format's rule: the tensors' byte ranges tile the data region exactly — no overlap (two tensors sharing bytes
 * would alias each other's weights), no hole, nothing after the last one.
 */
function checkLayout(file: string, locations: TensorLocation[], dataStart: number, fileSize: number): void {
  const sorted = [...locations].sort((a, b) => a.offset - b.offset || a.byteLength - b.byteLength);
  let at = dataStart;
  sorted.forEach((t, i) => {
    if (t.offset < at) throw new Error(`${file}: tensor ${t.name} overlaps tensor ${sorted[i - 1].name} (their data_offsets share bytes).`);
    if (t.offset > at) throw new Error(`${file}: ${t.offset - at} bytes before tensor ${t.name} belong to no tensor (a hole between data_offsets).`);
    at = t.offset + t.byteLength;
  });
  if (at !== fileSize) {
    throw new Error(`${file}: ${fileSize - at} bytes after the last tensor belong to no tensor (the file must end where its last tensor does).`);
  }
}

/** Reads one tensor's raw bytes (copies them; for small tensors, tests and adapters). */
export function readTensorBytes(loc: TensorLocation): Buffer {
  const fd = openSync(loc.file, 'r');
  try {
    const buf = Buffer.alloc(loc.byteLength);
    readSync(fd, buf, 0, loc.byteLength, loc.offset);
    return buf;
  } finally {
    closeSync(fd);
  }
}

export function readTensorF32(loc: TensorLocation): Float32Array {
  if (loc.dtype !== 'F32') throw new Error(`${loc.file}: tensor ${loc.name} is ${loc.dtype}, expected F32.`);
  const bytes = readTensorBytes(loc);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice();
}

export interface TensorToWrite { name: string; dtype: SafetensorsDtype; shape: number[]; data: ArrayBufferView }

/** Writes tensors in the given order, header padded to 8 bytes as the reference implementation does. */
export function writeSafetensors(file: string, tensors: TensorToWrite[], metadata: Record<string, string> = {}): void {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const expected = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
    if (t.data.byteLength !== expected) throw new Error(`Tensor ${t.name}: ${t.data.byteLength} bytes given, ${t.dtype}${JSON.stringify(t.shape)} needs ${expected}.`);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + expected] };
    offset += expected;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const parts = [len, json, ...tensors.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))];
  writeFileSync(file, Buffer.concat(parts));
}
