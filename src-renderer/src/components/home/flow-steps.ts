// The guided flow's steps, in order, each with the one decision it makes in plain words and where it is done.
export interface FlowStep {
  id: 'data' | 'adapter' | 'precision' | 'estimator' | 'train';
  title: string;
  decides: string;
  /** The page where the step is done. */
  route: string;
  note?: string;
}

export const FLOW_STEPS: readonly FlowStep[] = [
  {
    id: 'data', title: 'Data', route: '/data', note: 'Import, inspect, clean, analyse, mix and export.',
    decides: 'Which examples the model learns from: import your instruction dataset, clean it and check what is left.',
  },
  {
    id: 'adapter', title: 'Adapter', route: '/adapter',
    note: 'Model, method (LoRA, LoRA+, PLoRA, P-tuning, prefix, full), presets and live parameter, file and memory totals; hands the settings to Train.',
    decides: 'Which base model you start from and how big the small trainable add-on (such as LoRA, its rank and alpha) is.',
  },
  {
    id: 'precision', title: 'Precision', route: '/precision',
    note: 'The number-format explorer, what this machine supports, the estimator’s peak memory and step time for fp32, bf16 and fp16 side by side, and a trial run (fp32 against fp16 or bf16, with and without loss scaling, emulated on the CPU) that says whether loss scaling is needed; a run’s precision is set on the Train page.',
    decides: 'Which number format the weights and the math use, trading memory and speed against accuracy.',
  },
  {
    id: 'estimator', title: 'Estimator', route: '/estimator',
    note: 'Memory by component, verdict and ranked fixes (combinations too), time from this CPU’s measured speed or an earlier run, energy and cost, the alternatives advisor, and a measured baseline: the base model’s answer loss and exact match, zero-shot and k-shot.',
    decides: 'Whether the run fits this computer’s memory, and about how long it will take and what it will cost, before you start.',
  },
  {
    id: 'train', title: 'Train', route: '/train', note: 'A plain form: model folder, data file, the method’s settings (or the Adapter wizard’s) and precision.',
    decides: 'When to start the run, then watching its loss live, with stop and resume from the last checkpoint.',
  },
];
