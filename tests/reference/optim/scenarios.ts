// Seeded optimizer scenarios shared by the ORT side (unit tests) and the PyTorch replay (replay_optim.py).
//
// Each scenario: a few float32 params of different ranks in two groups, 20 steps of random gradients
// whose scale changes from step to step (so clipping is active on some steps only), random token
// counts (one step with 0, which the graph treats as 1) and a scheduled lr (first update at lr 0).

import { lrForUpdate, type OptimizerConfig, type ParamSpec, type Schedule } from '../../../src-main/engine/optim';
import { rng } from '../../unit/engine/fd-check';

export const STEPS = 20;

export interface ScenarioParam extends ParamSpec {
  readonly init: number[];
}

export interface ScenarioStep {
  /** float32-exact base lr fed to both sides. */
  readonly lr: number;
  readonly step: number;
  readonly tokenCount: number;
  readonly lossScale?: number;
  /** Gradients of the summed token loss (what the trainer feeds), float32-exact. */
  readonly grads: Record<string, number[]>;
}

export interface Scenario {
  readonly name: string;
  readonly config: OptimizerConfig;
  readonly params: readonly ScenarioParam[];
  readonly steps: readonly ScenarioStep[];
}

const SHAPES: readonly { name: string; shape: number[]; group: number }[] = [
  { name: 'layers.0.w', shape: [4, 6], group: 0 },
  { name: 'layers.0.b', shape: [6], group: 1 },
  { name: 'lora_B', shape: [6, 2], group: 1 },
  { name: 'scale', shape: [], group: 1 },
  { name: 'embed', shape: [3, 2, 5], group: 0 },
];

/** Per-step gradient scale: with ~20 tokens per step the normalised norm swings from ~0.02 to ~20. */
const GRAD_SCALES = [1, 30, 3, 0.3, 100, 10, 1, 300, 3, 30];

function gaussians(rand: () => number, n: number): number[] {
  return Array.from({ length: n }, () => {
    const u = Math.max(rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  });
}

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export function makeScenario(name: string, config: OptimizerConfig, schedule: Schedule, seed: number, lossScale?: number): Scenario {
  const rand = rng(seed);
  const params = SHAPES.map((s) => ({ ...s, init: gaussians(rand, numel(s.shape)).map((x) => Math.fround(x * 0.5)) }));
  const steps: ScenarioStep[] = [];
  for (let k = 1; k <= STEPS; k++) {
    const tokenCount = k === 4 ? 0 : 1 + Math.floor(rand() * 40);
    const scale = GRAD_SCALES[(k + seed) % GRAD_SCALES.length] * Math.max(tokenCount, 1) * 0.1;
    const grads: Record<string, number[]> = {};
    for (const p of params) grads[p.name] = gaussians(rand, p.init.length).map((x) => Math.fround(x * scale * (lossScale ?? 1)));
    steps.push({ lr: Math.fround(lrForUpdate(k, schedule)), step: k, tokenCount, grads, ...(lossScale ? { lossScale } : {}) });
  }
  return { name, config, params, steps };
}

const GROUPS = [{ lrMultiplier: 1, weightDecay: 0.1 }, { lrMultiplier: 16, weightDecay: 0 }];
const cosine = (lr: number): Schedule => ({ kind: 'cosine', lr, warmupSteps: 3, totalSteps: STEPS });

export function scenarios(): Scenario[] {
  return [
    makeScenario('adamw-clip-groups', { optimizer: 'adamw', maxGradNorm: 1, groups: GROUPS }, cosine(1e-2), 11),
    makeScenario('adamw-betas-eps-noclip', {
      optimizer: 'adamw', betas: [0.8, 0.95], eps: 1e-6, maxGradNorm: 0,
      groups: [{ lrMultiplier: 1, weightDecay: 0.3 }, { lrMultiplier: 0.25, weightDecay: 0.01 }],
    }, { kind: 'linear', lr: 3e-2, warmupSteps: 2, totalSteps: STEPS }, 12),
    makeScenario('adamw-loss-scale', { optimizer: 'adamw', maxGradNorm: 2, lossScale: true, groups: GROUPS }, cosine(5e-3), 13, 1024),
    makeScenario('sgd-plain-clip', { optimizer: 'sgd', maxGradNorm: 1, groups: GROUPS }, cosine(0.1), 14),
    makeScenario('sgd-momentum-dampening-wd', {
      optimizer: 'sgd', momentum: 0.9, dampening: 0.1, maxGradNorm: 2,
      groups: [{ lrMultiplier: 1, weightDecay: 0.01 }, { lrMultiplier: 4, weightDecay: 0 }],
    }, { kind: 'constant', lr: 0.05, warmupSteps: 2, totalSteps: STEPS }, 15),
    makeScenario('sgd-nesterov', { optimizer: 'sgd', momentum: 0.9, nesterov: true, maxGradNorm: 1, groups: GROUPS }, cosine(0.05), 16),
  ];
}

/** What replay_optim.py writes per scenario (and the golden file stores). */
export interface TorchResult {
  readonly name: string;
  /** params[step][param] after each step (float32 values). */
  readonly params: Record<string, number[]>[];
  readonly gradNorm: number[];
  /** States after the last step, keyed like the update graph's inputs (`m.<name>`, `v.<name>`). */
  readonly states: Record<string, number[]>;
}

/** Schedules checked against transformers' lambdas and torch's LambdaLR (`steps` updates each). */
export interface ScheduleCase extends Schedule {
  readonly steps: number;
}

export interface ScheduleResult {
  /** λ(n) for n = 0..steps. */
  readonly factor: number[];
  /** The lr optimizer.step() k = 1..steps ran with. */
  readonly used: number[];
}

/** 100 steps with warmup 10 (and edge cases: no warmup, warmup ≥ total, past the end, several cosine waves). */
export function scheduleCases(): ScheduleCase[] {
  const base = { lr: 2e-4, warmupSteps: 10, totalSteps: 100, steps: 110 };
  return [
    { kind: 'constant', ...base },
    { kind: 'linear', ...base },
    { kind: 'cosine', ...base },
    { kind: 'cosine', ...base, numCycles: 1.5 },
    { kind: 'linear', lr: 1e-3, warmupSteps: 0, totalSteps: 30, steps: 35 },
    { kind: 'cosine', lr: 1e-3, warmupSteps: 0, totalSteps: 30, steps: 35 },
    { kind: 'constant', lr: 1e-3, warmupSteps: 0, totalSteps: 30, steps: 5 },
    { kind: 'cosine', lr: 1e-3, warmupSteps: 8, totalSteps: 5, steps: 10 },
  ];
}
