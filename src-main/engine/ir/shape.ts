// Symbolic shape arithmetic: numpy broadcasting, axis normalisation, element counts over symbolic dims.

import type { Dim, Shape } from './types';

export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

export function shapeToString(s: Shape): string {
  return `[${s.join(',')}]`;
}

export function sameDim(a: Dim, b: Dim): boolean {
  return a === b;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Numpy broadcasting of two symbolic shapes. A symbol meeting a number other than 1 takes the
 * number (the symbol must equal it at run time); two different symbols are refused, because a
 * silent guess there would hide shape bugs in model code.
 */
export function broadcastShapes(a: Shape, b: Shape): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
    const db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
    out.push(broadcastDim(da, db, a, b));
  }
  return out;
}

function broadcastDim(da: Dim, db: Dim, a: Shape, b: Shape): Dim {
  if (da === db) return da;
  if (da === 1) return db;
  if (db === 1) return da;
  if (typeof da === 'number' && typeof db === 'number') {
    throw new Error(`cannot broadcast ${shapeToString(a)} with ${shapeToString(b)}`);
  }
  if (typeof da === 'number') return da;
  if (typeof db === 'number') return db;
  throw new Error(`cannot broadcast symbols ${da} and ${db} in ${shapeToString(a)} vs ${shapeToString(b)}`);
}

/** Product of dims: a number when all are known, otherwise a symbol like 'B*S*512'. */
export function dimProduct(dims: readonly Dim[]): Dim {
  let n = 1;
  const syms: string[] = [];
  for (const d of dims) {
    if (typeof d === 'number') n *= d;
    else syms.push(d);
  }
  if (syms.length === 0) return n;
  return n === 1 ? syms.join('*') : [...syms, String(n)].join('*');
}

export function isStatic(s: Shape): s is readonly number[] {
  return s.every((d) => typeof d === 'number');
}

export function numel(s: readonly number[]): number {
  return s.reduce((a, b) => a * b, 1);
}

/** `d + k` for a dim that may be symbolic: 'S' + -1 → 'S-1', 'S-1' + 1 → 'S'. */
export function dimAdd(d: Dim, k: number): Dim {
  if (typeof d === 'number') return d + k;
  const m = /^(.*?)([+-]\d+)$/.exec(d);
  const base = m ? m[1] : d;
  const off = (m ? Number(m[2]) : 0) + k;
  return off === 0 ? base : `${base}${off > 0 ? '+' : ''}${off}`;
}

/** Factors of a dim: numbers multiply, symbols ('B*S') split on '*' so -1 in Reshape can cancel them. */
function factors(dims: readonly Dim[]): { n: number; syms: string[] } {
  let n = 1;
  const syms: string[] = [];
  for (const d of dims) {
    if (typeof d === 'number') n *= d;
    else for (const f of d.split('*')) {
      if (/^\d+$/.test(f)) n *= Number(f);
      else syms.push(f);
    }
  }
  return { n, syms };
}

/** numel(all) / numel(part), for the -1 of a Reshape; throws when symbols do not cancel. */
export function dimQuotient(all: readonly Dim[], part: readonly Dim[]): Dim {
  const a = factors(all);
  const p = factors(part);
  for (const s of p.syms) {
    const i = a.syms.indexOf(s);
    if (i < 0) throw new Error(`cannot infer -1: [${part}] does not divide [${all}]`);
    a.syms.splice(i, 1);
  }
  if (a.n % p.n !== 0) throw new Error(`cannot infer -1: [${part}] does not divide [${all}]`);
  return dimProduct([a.n / p.n, ...a.syms]);
}
