// Training checkpoints in the run folder: checkpoints/step-N/ holds the trained tensors (the method decides their
// layout: a PEFT adapter for LoRA and prompt methods, sharded safetensors for full fine-tuning), the optimizer state
// and the trainer state (step, data position, clock); checkpoints/latest.json points at the newest complete one.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensorsHeader, readTensorF32, writeSafetensors } from '../io/safetensors';
import { readLatestCheckpoint, writeLatestCheckpoint } from '../jobs/run-folder';
import type { Fp8ScalingState } from '../precision/delayed-scaling';
import type { DataPosition } from './batches';

export interface TrainerState {
  step: number; // optimizer steps completed, skipped ones included (Trainer's global_step)
  /**
   * Updates actually applied: a step skipped for overflow advances neither AdamW's step count (bias correction) nor
   * the lr schedule, as torch's GradScaler skips optimizer.step() and Trainer then skips lr_scheduler.step().
   * Absent in checkpoints from before it existed, which counted every step.
   */
  updates?: number;
  position: DataPosition; // where the next micro-batch starts
  elapsedS: number; // training wall time so far (resumes add to it)
  tokensSeen: number;
  configHash: string; // a resume with a different configuration is refused
  /** The loss scaler (runs with loss scaling only): scale, growth tracker and the skipped steps so far. */
  scaler?: { scale: number; growthTracker: number; skippedSteps: number };
  /** fp8 runs: each scaled tensor's scale and amax history, so a resumed run scales exactly as an uninterrupted one. */
  fp8?: Fp8ScalingState;
  /** PLoRA: the stage in progress (0-based); the stages before it are merged into the run's weights. */
  stage?: number;
  /** PLoRA: the applied updates before this stage began; its fresh optimizer counts steps from there. */
  stageFirstUpdate?: number;
}

/** How a method stores its trained tensors inside a checkpoint folder (which exists when `write` is called). */
export interface ParamsCodec {
  write(dir: string, params: Map<string, Float32Array>, shapes: Map<string, number[]>): void;
  read(dir: string): Map<string, Float32Array>;
}

export interface Checkpoint {
  state: TrainerState;
  params: Map<string, Float32Array>;
  optimizer: Map<string, Float32Array>;
}

const OPTIMIZER_FILE = 'optimizer.safetensors';
const STATE_FILE = 'trainer_state.json';

export function checkpointDir(runDir: string, step: number): string {
  return join(runDir, 'checkpoints', `step-${step}`);
}

/** Written into a temporary folder and renamed, then latest.json moves: a crash at any point leaves the previous one. */
export function saveCheckpoint(runDir: string, codec: ParamsCodec, params: Map<string, Float32Array>, shapes: Map<string, number[]>,
  optimizer: Map<string, { shape: number[]; data: Float32Array }>, state: TrainerState): string {
  const dir = checkpointDir(runDir, state.step);
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  codec.write(tmp, params, shapes);
  writeSafetensors(join(tmp, OPTIMIZER_FILE), [...optimizer].map(([name, t]) => ({ name, dtype: 'F32' as const, shape: t.shape, data: t.data })));
  writeFileSync(join(tmp, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  writeLatestCheckpoint(runDir, { step: state.step, dir: `step-${state.step}` });
  return dir;
}

export function loadLatestCheckpoint(runDir: string, codec: ParamsCodec): Checkpoint | null {
  const latest = readLatestCheckpoint(runDir);
  if (!latest) return null;
  const dir = join(runDir, 'checkpoints', typeof latest.dir === 'string' ? latest.dir : `step-${latest.step}`);
  if (!existsSync(join(dir, STATE_FILE))) throw new Error(`checkpoints/latest.json points at ${dir}, which is incomplete.`);
  const state = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as TrainerState;
  const params = codec.read(dir);
  const optimizer = new Map<string, Float32Array>();
  for (const [name, loc] of readSafetensorsHeader(join(dir, OPTIMIZER_FILE)).tensors) optimizer.set(name, readTensorF32(loc));
  return { state, params, optimizer };
}
