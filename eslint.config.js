// Lint rules, including the import boundaries of DESIGN §2 (which folder may import what).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import globals from 'globals';

const electronOnlyInApp = { name: 'electron', message: "Only src-main/app/ imports 'electron' (DESIGN §2)." };
const duckdbOnlyInStore = { group: ['@duckdb/*'], message: 'Only src-main/store/ imports DuckDB (DESIGN §2).' };
const ortOnlyInRuntime = { group: ['onnxruntime-node', 'onnxruntime-*'], message: 'Only src-main/engine/runtime/ imports onnxruntime (DESIGN §2).' };
const nodeBuiltins = { group: ['node:*'], message: 'src-main/common is pure TS: no Node built-ins.' };
const ours = (...dirs) => dirs.map((d) => `**/${d}/**`);

/** Builds a no-restricted-imports rule from path rules and pattern rules. */
function restrict(paths, patterns) {
  return { 'no-restricted-imports': ['error', { paths, patterns }] };
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'tests/e2e/artifacts/**', 'tests/bench/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  // Everything outside app/ may not import electron; outside store/ not DuckDB; outside engine/runtime not onnxruntime.
  {
    files: ['src-main/**/*.ts', 'tests/**/*.ts', 'scripts/**', 'bin/**'],
    ignores: ['src-main/app/**', 'src-main/store/**', 'src-main/engine/runtime/**', 'tests/unit/store/**', 'tests/unit/engine/runtime/**'],
    rules: restrict([electronOnlyInApp], [duckdbOnlyInStore, ortOnlyInRuntime]),
  },
  { files: ['src-main/store/**/*.ts'], rules: restrict([electronOnlyInApp], [ortOnlyInRuntime]) },
  { files: ['src-main/engine/runtime/**/*.ts'], rules: restrict([electronOnlyInApp], [duckdbOnlyInStore]) },
  // common imports nothing of ours and nothing of Node's.
  {
    files: ['src-main/common/**/*.ts'],
    rules: restrict([electronOnlyInApp], [duckdbOnlyInStore, ortOnlyInRuntime, nodeBuiltins,
      { group: ours('app', 'server', 'cli', 'services', 'store', 'jobs', 'data', 'models', 'engine', 'estimate'), message: 'common imports nothing of ours.' }]),
  },
  // engine imports only common and its own folders.
  {
    files: ['src-main/engine/**/*.ts'],
    ignores: ['src-main/engine/runtime/**'],
    rules: restrict([electronOnlyInApp], [duckdbOnlyInStore, ortOnlyInRuntime,
      { group: ours('app', 'server', 'cli', 'services', 'store', 'jobs', 'data', 'models', 'estimate'), message: 'engine imports only common and its own folders.' }]),
  },
  {
    files: ['src-main/engine/runtime/**/*.ts'],
    rules: restrict([electronOnlyInApp], [duckdbOnlyInStore,
      { group: ours('app', 'server', 'cli', 'services', 'store', 'jobs', 'data', 'models', 'estimate'), message: 'engine imports only common and its own folders.' }]),
  },
  // The renderer reaches the main side only through src-main/common.
  {
    files: ['src-renderer/**/*.{ts,vue}', 'tests/renderer/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict([electronOnlyInApp], [duckdbOnlyInStore, ortOnlyInRuntime, nodeBuiltins,
      { group: ours('app', 'server', 'cli', 'services', 'store', 'jobs', 'data', 'models', 'engine', 'estimate'), message: 'The renderer imports only src-main/common from the main side.' }]),
  },
);
