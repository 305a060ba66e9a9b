// Training config resolution: defaults, run.yaml + flags (a flag wins), paths, and error messages that name the key.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveTrainConfig, stepsForEpochs, TRAIN_KEYS, trainFlagOptions } from '../../../../src-main/services/train';
import { EXPECTED } from '../../../../src-main/services/train/config-schema';
import { issuesOf } from './config-issues';

const work = mkdtempSync(join(tmpdir(), 'ftstudio-train-config-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function yaml(name: string, text: string): string {
  const file = join(work, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

const base = { model: 'm', data: 'd.jsonl' };

describe('resolveTrainConfig', () => {
  it('fills Hugging Face-like defaults and makes paths absolute', () => {
    const c = resolveTrainConfig({ flags: base, cwd: '/work/x', defaultThreads: 3, defaultOut: () => '/runs/a' });
    expect(c).toMatchObject({
      model: '/work/x/m', data: '/work/x/d.jsonl', eval_data: null, init_adapter: null, out: '/runs/a',
      method: 'lora', rank: 8, alpha: 16, dropout: 0, targets: 'all-linear', lora_init: 'gaussian',
      optim: 'adamw', lr: 2e-4, weight_decay: 0, betas: [0.9, 0.999], eps: 1e-8, momentum: 0, max_grad_norm: 1,
      schedule: 'linear', warmup_steps: 0, batch_size: 1, grad_accum: 1, steps: null, epochs: 1, max_seq_len: null,
      seed: 42, shuffle: true, eval_every: 0, save_every: 0, threads: 3, format: 'auto', packing: false, truncate: false, train_on_prompt: false,
    });
  });

  it('reads run.yaml (paths relative to it) and lets every flag override it (paths relative to cwd)', () => {
    const file = yaml('cfg/run.yaml', [
      'model: ../models/tiny', 'data: data/train.jsonl', 'eval_data: /abs/eval.jsonl', 'lr: 1e-3', 'rank: 16', 'alpha: 32',
      'targets: [q_proj, v_proj]', 'weight_decay: 0.01', 'schedule: cosine', 'warmup_steps: 5', 'epochs: 3', 'packing: true',
      'betas: [0.8, 0.99]', 'out: runs/one', 'shuffle: true',
    ].join('\n'));
    const c = resolveTrainConfig({
      configFile: file, cwd: '/elsewhere',
      flags: { lr: '5e-4', 'max-grad-norm': '0', data: 'mine.jsonl', targets: 'q_proj,k_proj', 'no-shuffle': true, 'train-on-prompt': true, betas: '0.9,0.95' },
    });
    expect(c).toMatchObject({
      model: join(work, 'models/tiny'), data: '/elsewhere/mine.jsonl', eval_data: '/abs/eval.jsonl', out: join(work, 'cfg/runs/one'),
      lr: 5e-4, rank: 16, alpha: 32, targets: ['q_proj', 'k_proj'], weight_decay: 0.01, schedule: 'cosine', warmup_steps: 5,
      epochs: 3, steps: null, packing: true, max_grad_norm: 0, shuffle: false, train_on_prompt: true, betas: [0.9, 0.95],
    });
  });

  it('a run length given as a flag replaces the YAML\'s; both in one place is an error', () => {
    const file = yaml('len.yaml', 'model: m\ndata: d\nepochs: 2\n');
    expect(resolveTrainConfig({ configFile: file, flags: { steps: '50' } })).toMatchObject({ steps: 50, epochs: null });
    expect(resolveTrainConfig({ configFile: file, flags: {} })).toMatchObject({ steps: null, epochs: 2 });
    const quoted = yaml('quoted.yaml', 'model: m\ndata: d\nlr: "3e-4"\nsteps: "7"\n');
    expect(resolveTrainConfig({ configFile: quoted })).toMatchObject({ lr: 3e-4, steps: 7 });
    expect(issuesOf(() => resolveTrainConfig({ flags: { ...base, steps: '5', epochs: '1' } }))).toEqual([
      'give either steps or epochs, not both (steps from --steps, epochs from --epochs)',
    ]);
    const both = yaml('both.yaml', 'model: m\ndata: d\nepochs: 2\nsteps: 10\n');
    expect(issuesOf(() => resolveTrainConfig({ configFile: both }))[0]).toMatch(/steps from steps \(in both\.yaml\), epochs from epochs \(in both\.yaml\)/);
  });

  it('names the key, where it came from, what it expects and what it got', () => {
    const file = yaml('bad.yaml', 'model: m\ndata: d\noptim: adam\ntargets: [q_proj, lm_head]\nrank: 2.5\n');
    const issues = issuesOf(() => resolveTrainConfig({ configFile: file, flags: { lr: 'fast', 'batch-size': '0', betas: '0.9', dropout: '-1' } }));
    expect(issues).toEqual(expect.arrayContaining([
      '--lr: expected a positive number, e.g. 2e-4, got "fast"',
      '--batch-size: expected an integer from 1 to 4096, got 0',
      '--betas: expected two numbers in [0, 1), e.g. 0.9,0.999, got [0.9]',
      '--dropout: expected a number from 0 to 0.9, got -1',
      'optim (in bad.yaml): expected adamw or sgd, got "adam"',
      'rank (in bad.yaml): expected an integer from 1 to 4096, e.g. 8, got 2.5',
      expect.stringMatching(/^targets \(in bad\.yaml\): expected "all-linear" or a list of q_proj, .* got \["q_proj","lm_head"\]$/),
    ]));
    expect(issues).toHaveLength(7);
  });

  it('reports missing keys, unknown keys (with a suggestion) and broken YAML', () => {
    expect(issuesOf(() => resolveTrainConfig({ flags: {} }))).toEqual([
      expect.stringMatching(/^model is required: a Hugging Face model folder .*; pass --model or set "model:" in the config file$/),
      expect.stringMatching(/^data is required: /),
    ]);
    const unknown = yaml('unknown.yaml', 'model: m\ndata: d\nlearning_rate: 1\nweight-decay: 0.1\n');
    const issues = issuesOf(() => resolveTrainConfig({ configFile: unknown }));
    expect(issues[0]).toMatch(/^unknown\.yaml: unknown key "learning_rate"; known keys: model, data, /);
    expect(issues[1]).toBe('unknown.yaml: unknown key "weight-decay"; did you mean "weight_decay"?');
    expect(issuesOf(() => resolveTrainConfig({ configFile: yaml('broken.yaml', 'model: [m\n') }))[0]).toMatch(/broken\.yaml is not valid YAML: /);
    expect(issuesOf(() => resolveTrainConfig({ configFile: yaml('list.yaml', '- a\n- b\n') }))[0]).toMatch(/must be a mapping of keys to values .* not a list/);
    expect(issuesOf(() => resolveTrainConfig({ configFile: join(work, 'nope.yaml') }))[0]).toMatch(/cannot read the config file .*nope\.yaml \(ENOENT\)/);
  });

  it('LoRA+: method lora_plus with loraplus_ratio (default 16) from YAML, flags or the form; bad ratios and a ratio without LoRA+ are errors', () => {
    expect(resolveTrainConfig({ flags: base })).toMatchObject({ method: 'lora', loraplus_ratio: 16 });
    expect(resolveTrainConfig({ flags: { ...base, method: 'lora_plus' } })).toMatchObject({ method: 'lora_plus', loraplus_ratio: 16 });
    expect(resolveTrainConfig({ flags: { ...base, method: 'lora_plus', 'loraplus-ratio': '8' } })).toMatchObject({ method: 'lora_plus', loraplus_ratio: 8 });
    const file = yaml('plus.yaml', 'model: m\ndata: d\nmethod: lora_plus\nloraplus_ratio: "4"\n');
    expect(resolveTrainConfig({ configFile: file })).toMatchObject({ method: 'lora_plus', loraplus_ratio: 4 });
    expect(resolveTrainConfig({ values: { ...base, method: 'lora_plus', loraplus_ratio: 2.5 } })).toMatchObject({ method: 'lora_plus', loraplus_ratio: 2.5 });
    expect(trainFlagOptions()['loraplus-ratio']).toEqual({ type: 'string' });

    expect(issuesOf(() => resolveTrainConfig({ flags: { ...base, method: 'lora_plus', 'loraplus-ratio': '0' } }))).toEqual([
      '--loraplus-ratio: expected a positive number (λ = lr of B / lr of A, with method lora_plus), e.g. 16, got 0',
    ]);
    expect(issuesOf(() => resolveTrainConfig({ flags: { ...base, method: 'lora_plus', 'loraplus-ratio': 'big' } }))[0]).toMatch(/^--loraplus-ratio: expected a positive number .* got "big"$/);
    expect(issuesOf(() => resolveTrainConfig({ flags: { ...base, method: 'loraplus' } }))).toEqual([
      `--method: expected ${EXPECTED.method}, got "loraplus"`,
    ]);
    expect(issuesOf(() => resolveTrainConfig({ flags: { ...base, 'loraplus-ratio': '16' } }))).toEqual([
      '--loraplus-ratio applies only with method lora_plus (method is "lora"); set --method lora_plus or remove it',
    ]);
    const stray = yaml('stray.yaml', 'model: m\ndata: d\nloraplus_ratio: 16\n');
    expect(issuesOf(() => resolveTrainConfig({ configFile: stray }))).toEqual([
      'loraplus_ratio (in stray.yaml) applies only with method lora_plus (method is "lora"); set method: lora_plus or remove it',
    ]);
  });

  it('the adapter methods: their flags, their settings only with them, and their own lr / weight decay defaults', () => {
    const base = { model: 'm', data: 'd' };
    const opts = trainFlagOptions();
    expect(opts).toMatchObject({
      stages: { type: 'string' }, 'virtual-tokens': { type: 'string' }, encoder: { type: 'string' }, 'encoder-hidden': { type: 'string' },
      'ewc-lambda': { type: 'string' }, 'l2sp-lambda': { type: 'string' }, 'ewc-data': { type: 'string' }, 'use-rslora': { type: 'boolean' }, 'use-dora': { type: 'boolean' },
    });
    expect(resolveTrainConfig({ flags: { ...base, method: 'plora', stages: '3' } })).toMatchObject({ method: 'plora', stages: 3, lr: 2e-4 });
    expect(resolveTrainConfig({ flags: { ...base, method: 'ptuning', 'virtual-tokens': '10', encoder: 'lstm' } })).toMatchObject({ virtual_tokens: 10, encoder: 'lstm', encoder_hidden: null, lr: 1e-3 });
    expect(resolveTrainConfig({ flags: { ...base, method: 'full', 'ewc-lambda': '100' } })).toMatchObject({ ewc_lambda: 100, lr: 1e-5, weight_decay: 0.01 });
    expect(resolveTrainConfig({ flags: { ...base, method: 'full', lr: '3e-5' } })).toMatchObject({ lr: 3e-5 });
    expect(resolveTrainConfig({ flags: { ...base, 'use-rslora': true, 'use-dora': true } })).toMatchObject({ use_rslora: true, use_dora: true });

    expect(issuesOf(() => resolveTrainConfig({ flags: { ...base, stages: '3' } }))).toEqual([
      '--stages applies only with method plora (method is "lora"); set --method plora or remove it',
    ]);
    expect(issuesOf(() => resolveTrainConfig({ flags: { ...base, method: 'full', rank: '8', 'ewc-data': 'g.jsonl' } }))).toEqual([
      '--rank applies only with method lora or lora_plus or plora (method is "full"); set --method lora or remove it',
    ]);
    expect(issuesOf(() => resolveTrainConfig({ flags: { ...base, method: 'prefix', encoder: 'lstm' } }))).toEqual([
      "--encoder: prefix tuning takes mlp (PEFT's prefix_projection) or none, not lstm",
    ]);
    expect(issuesOf(() => resolveTrainConfig({ flags: { ...base, 'early-stopping': '3' } }))).toEqual(['--early-stopping needs eval_data: it stops on the eval loss']);
  });

  it('has a flag for every key: --kebab-case, bare for booleans, --no-shuffle for the one that defaults on', () => {
    const opts = trainFlagOptions();
    expect(Object.keys(opts)).toHaveLength(TRAIN_KEYS.length);
    expect(opts).toMatchObject({
      'eval-data': { type: 'string' }, 'weight-decay': { type: 'string' }, 'max-seq-len': { type: 'string' }, 'init-adapter': { type: 'string' },
      packing: { type: 'boolean' }, 'train-on-prompt': { type: 'boolean' }, truncate: { type: 'boolean' }, 'no-shuffle': { type: 'boolean' },
    });
  });
});

describe('stepsForEpochs', () => {
  it('is ceil(epochs × ceil(examples / batch) / grad_accum)', () => {
    expect(stepsForEpochs(1, 10, 3, 1)).toBe(4); // 4 micro-batches
    expect(stepsForEpochs(2, 10, 3, 2)).toBe(4); // 8 micro-batches, 2 per step
    expect(stepsForEpochs(1, 5, 1, 4)).toBe(2); // the last step takes the remainder
    expect(stepsForEpochs(1.5, 3, 1, 1)).toBe(5); // 4.5 micro-batches round up
    expect(stepsForEpochs(0.1, 30, 1, 1)).toBe(3); // not 4 from 0.1 × 30 = 3.0000000000000004
    expect(stepsForEpochs(0.01, 3, 1, 1)).toBe(1); // at least one step
  });
});
