// ESLint rule for the import boundaries of DESIGN §2, on resolved paths (so a folder named like another layer is fine).
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const BUILTINS = new Set(builtinModules);

/** The layer a project file belongs to, by path. */
function layerOf(file) {
  const rel = relative(ROOT, file).split('\\').join('/');
  if (rel.startsWith('src-renderer/') || rel.startsWith('tests/renderer/')) return 'renderer';
  const m = rel.match(/^src-main\/([^/]+)(?:\/([^/]+))?/);
  if (!m) return rel.startsWith('tests/') ? `tests:${rel.split('/')[2] ?? ''}/${rel.split('/')[3] ?? ''}` : 'other';
  if (m[1] === 'engine' && m[2] === 'runtime') return 'engine/runtime';
  return m[1];
}

function packageRule(layer, file, spec) {
  const rel = relative(ROOT, file).split('\\').join('/');
  if (spec === 'electron' && layer !== 'app') return "Only src-main/app/ imports 'electron'.";
  if (spec.startsWith('@duckdb/') && layer !== 'store' && !rel.startsWith('tests/unit/store/')) return 'Only src-main/store/ imports DuckDB.';
  if (spec.startsWith('onnxruntime-') && layer !== 'engine/runtime' && !rel.startsWith('tests/unit/engine/runtime/')) {
    return 'Only src-main/engine/runtime/ imports onnxruntime.';
  }
  const builtin = spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0]);
  if (builtin && (layer === 'common' || layer === 'renderer')) return `${layer === 'common' ? 'src-main/common' : 'The renderer'} must not use Node built-ins.`;
  return null;
}

function relativeRule(layer, target) {
  const to = layerOf(target);
  if (layer === 'common' && to !== 'common') return 'src-main/common imports nothing of ours outside common.';
  // models/ reads model folders (config.json, tokenizer.json, safetensors) with pure code: an engine job that must
  // tokenize (the score job) uses exactly the tokenizer training uses instead of a copy that could drift.
  if ((layer === 'engine' || layer === 'engine/runtime') && !['common', 'engine', 'engine/runtime', 'models'].includes(to)) {
    return 'src-main/engine imports only src-main/common, src-main/models and its own folders.';
  }
  if (layer === 'renderer' && to !== 'renderer' && to !== 'common') return 'The renderer imports only src-main/common from the main side.';
  return null;
}

export default {
  meta: { type: 'problem', schema: [], docs: { description: 'Import boundaries between the layers of DESIGN §2' } },
  create(context) {
    const file = context.filename;
    const layer = layerOf(file);
    function check(node, spec) {
      if (typeof spec !== 'string') return;
      const message = spec.startsWith('.') ? relativeRule(layer, resolve(dirname(file), spec)) : packageRule(layer, file, spec);
      if (message) context.report({ node, message: `${message} (import of '${spec}')` });
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
