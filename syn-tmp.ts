import { Graph } from './src-main/engine/ir';
import { serializeModel } from './src-main/engine/onnx';
import { EngineSession } from './src-main/engine/runtime';
for (const n of [2000, 4000, 8000]) for (const shared of [true, false]) for (const chain of [true, false]) {
  const g = new Graph();
  const x = g.input('x', 'float32', ['N']);
  let v = x;
  const outs = [];
  for (let i = 0; i < n; i++) {
    const c = shared ? g.scalar(1.0001, 'float32') : g.scalar(1 + i * 1e-7, 'float32');
    if (chain) v = g.mul(v, c); else outs.push(g.mul(x, c));
  }
  if (chain) g.output(v, 'y'); else { let s = outs[0]; for (let i = 1; i < outs.length; i += 1) s = g.add(s, outs[i]); g.output(s, 'y'); }
  const t = performance.now();
  const s = await EngineSession.create(serializeModel(g), { graphOptimization: 'disabled' });
  console.log(`n ${n} shared ${shared} chain ${chain}: ${g.nodes.length} nodes, session ${(performance.now() - t).toFixed(0)} ms`);
  await s.release();
}
