// Reverse-mode autodiff: extends a graph with gradient outputs `grad.<param>` of a scalar loss.

import type { Graph } from '../ir/graph';
import { isFloat } from '../ir/types';
import type { Node, Value } from '../ir/value';

export interface GradientOptions {
  /** Prefix of the gradient outputs' names (default 'grad.'). */
  prefix?: string;
  /** Also register each gradient as a graph output (default true). */
  asOutputs?: boolean;
}

/**
 * Adds the backward pass of `loss` with respect to `params` to `g` and returns param → gradient.
 * Only nodes that lie between the params and the loss get gradient rules applied; gradients
 * arriving at one value from several consumers are summed. Frozen weights may sit on the path
 * (gradients flow through them) but cannot be asked for.
 */
export function addGradients(g: Graph, loss: Value, params: readonly Value[], opts: GradientOptions = {}): Map<Value, Value> {
  const prefix = opts.prefix ?? 'grad.';
  if (loss.shape.some((d) => d !== 1)) throw new Error(`loss ${loss} must be a scalar`);
  for (const p of params) {
    if (p.frozen) throw new Error(`'${p.name}' is frozen: frozen weights get no gradient`);
    if (!isFloat(p.dtype)) throw new Error(`cannot differentiate with respect to ${p}`);
  }

  const nodes = nodesBetween(g, loss, params);
  const needed = valuesNeedingGrad(nodes, params);
  const pending = new Map<Value, Value[]>([[loss, [g.constantOfShape(g.shapeOf(loss), 1, loss.dtype)]]]);
  const total = (v: Value): Value | null => {
    const parts = pending.get(v);
    if (!parts || parts.length === 0) return null;
    const sum = parts.reduce((acc, p) => g.add(acc, p));
    pending.set(v, [sum]);
    return sum;
  };

  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    const dOut = node.outputs.map(total);
    if (dOut.every((d) => d === null)) continue;
    const needs = node.inputs.map((v) => needed.has(v));
    if (!node.op.grad) throw new Error(`op ${node.op.name} has no gradient rule, but ${node.outputs[0]} needs one`);
    const dIn = node.op.grad(g, node, dOut, needs);
    node.inputs.forEach((v, k) => {
      const d = dIn[k];
      if (!d || !needs[k]) return;
      if (d.dtype !== v.dtype) throw new Error(`${node.op.name} grad: dtype ${d.dtype} for input ${v}`);
      const list = pending.get(v) ?? [];
      list.push(d);
      pending.set(v, list);
    });
  }

  const grads = new Map<Value, Value>();
  for (const p of params) {
    // A parameter the loss does not depend on has a zero gradient, not a missing one.
    const d = total(p) ?? g.zerosLike(p);
    grads.set(p, opts.asOutputs === false ? d : g.output(d, `${prefix}${p.name}`));
  }
  return grads;
}

/** Nodes (in graph order) that read a param-dependent float value and feed the loss. */
function nodesBetween(g: Graph, loss: Value, params: readonly Value[]): Node[] {
  const dependsOnParam = new Set<Value>(params);
  const forward = new Set<Node>();
  for (const n of g.nodes) {
    if (n.inputs.some((v) => dependsOnParam.has(v))) {
      forward.add(n);
      for (const o of n.outputs) if (isFloat(o.dtype)) dependsOnParam.add(o);
    }
  }
  const feedsLoss = new Set<Node>();
  const stack: Value[] = [loss];
  const seen = new Set<Value>();
  while (stack.length > 0) {
    const v = stack.pop() as Value;
    if (seen.has(v)) continue;
    seen.add(v);
    const n = v.producer;
    if (!n || !forward.has(n)) continue;
    feedsLoss.add(n);
    stack.push(...n.inputs);
  }
  return g.nodes.filter((n) => feedsLoss.has(n));
}

/** Values whose gradient is wanted: the params and every float value on the path from them. */
function valuesNeedingGrad(nodes: readonly Node[], params: readonly Value[]): Set<Value> {
  const s = new Set<Value>(params);
  for (const n of nodes) {
    if (n.inputs.some((v) => s.has(v))) for (const o of n.outputs) if (isFloat(o.dtype)) s.add(o);
  }
  return s;
}
