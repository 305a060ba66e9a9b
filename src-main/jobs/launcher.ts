// The one seam between the supervisor and an engine OS process: Node's fork and Electron's utilityProcess both fit it.
import type { ToEngine } from '../common/engine-protocol';

/** Signals the supervisor uses; kept as a string union so the Electron side needs no Node types. */
export type KillSignal = 'SIGTERM' | 'SIGKILL';

/** A running engine process. Messages arrive unvalidated: the supervisor checks them with FromEngine. */
export interface EngineProcess {
  /** OS process id; undefined when the process could not be started. */
  readonly pid: number | undefined;
  send(msg: ToEngine): void;
  onMessage(cb: (msg: unknown) => void): void;
  /**
   * Called once, after the process ended AND every message it sent has been delivered,
   * so "exited without done" is never a race with a late `done`. `signal` is e.g. 'SIGABRT' when it was killed.
   */
  onExit(cb: (code: number | null, signal: string | null) => void): void;
  kill(signal?: KillSignal): void;
}

export interface LaunchOptions {
  /**
   * Tags the process's command line (`--ftstudio-job=<id>`), so that after a restart of main
   * the reconciler can tell our orphan engine from an unrelated process that reused its pid.
   */
  jobId?: string;
}

export interface EngineLauncher {
  launch(options?: LaunchOptions): EngineProcess;
}

/** The command-line tag an engine carries; see LaunchOptions.jobId. */
export const jobTag = (jobId: string): string => `--ftstudio-job=${jobId}`;
