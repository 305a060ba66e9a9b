// The alternatives advisor's state: the three questions' answers, the comparison of the estimator's run with prompting,
// RAG and the other methods (live, debounced), and the measured baseline's jobs and results.
import { defineStore } from 'pinia';
import { reactive, ref, shallowRef, watch } from 'vue';
import type { BaselineRow, EstimateAlternativesOutput } from '../../../src-main/common/alternatives';
import type { Dataset } from '../../../src-main/common/datasets';
import { api } from '../api';
import { describeError } from '../format';
import { ESTIMATE_DEBOUNCE_MS, useEstimatorStore } from './estimator';

export interface AdvisorAnswers {
  /** Which capability must improve, in the person's words (kept in the page state only). */
  capability: string;
  hasCorpus: boolean;
  corpusTokens: number | null;
  /** Short answers: exact-match would make sense as a score. */
  shortAnswers: boolean;
  promptTokens: number;
  answerTokens: number;
  instructionTokens: number;
  shots: number;
}

export const DEFAULT_ANSWERS: AdvisorAnswers = {
  capability: '', hasCorpus: false, corpusTokens: 1_000_000, shortAnswers: false, promptTokens: 200, answerTokens: 100, instructionTokens: 150, shots: 3,
};

/** exactMatch: also generate the answers and score exact match (follows the advisor's "answers are short"). */
export interface BaselineForm { modelPath: string; evalVersionId: string; shots: number[]; limit: number; exactMatch: boolean }

/** Baseline results are polled while their jobs run: cheap (two small files per job) and needs no event wiring. */
export const BASELINE_POLL_MS = 1000;
const FINAL = ['completed', 'failed', 'cancelled', 'interrupted'];

export const useAdvisorStore = defineStore('estimator-advisor', () => {
  const estimator = useEstimatorStore();
  const answers = reactive<AdvisorAnswers>({ ...DEFAULT_ANSWERS });
  const result = shallowRef<EstimateAlternativesOutput | null>(null);
  const error = ref<string | null>(null);
  const datasets = shallowRef<Dataset[]>([]);
  const baseline = reactive<BaselineForm>({ modelPath: '', evalVersionId: '', shots: [0, 3], limit: 100, exactMatch: false });
  const baselineRows = ref<BaselineRow[]>([]);
  /** Whether the rows shown were measured with exact match (their column is shown then, even before a number is in). */
  const baselineExactMatch = ref(false);
  const baselineError = ref<string | null>(null);
  const measuring = ref(false);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let poll: ReturnType<typeof setTimeout> | null = null;
  let latest = 0;

  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : fallback);

  /** Compares the estimator's current run with the alternatives; a reply older than the newest request is dropped. */
  async function compare(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    const id = ++latest;
    const { targets, tokens, ...rest } = estimator.settings;
    try {
      const out = await api.call('estimate.alternatives', {
        ...rest, targets: targets === 'all-linear' ? targets : [...targets],
        tokens: typeof tokens === 'number' && tokens > 0 ? Math.round(tokens) : null,
        promptTokens: num(answers.promptTokens, 0), answerTokens: num(answers.answerTokens, 0),
        instructionTokens: num(answers.instructionTokens, 0), shots: num(answers.shots, 0),
        corpusTokens: answers.hasCorpus && num(answers.corpusTokens, 0) > 0 ? num(answers.corpusTokens, 0) : null,
      });
      if (id !== latest) return;
      result.value = out;
      error.value = null;
    } catch (err) {
      if (id !== latest) return;
      result.value = null;
      error.value = describeError(err);
    }
  }

  function schedule(): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void compare(), ESTIMATE_DEBOUNCE_MS);
  }

  async function loadDatasets(): Promise<void> {
    try {
      datasets.value = await api.call('data.list', {});
      const first = datasets.value.find((d) => d.currentVersion);
      if (!baseline.evalVersionId && first?.currentVersion) baseline.evalVersionId = first.currentVersion.id;
    } catch {
      datasets.value = []; // no store (or none yet): the picker says so
    }
  }

  async function refreshBaseline(jobIds: string[]): Promise<void> {
    if (poll) clearTimeout(poll);
    poll = null;
    try {
      baselineRows.value = (await api.call('estimate.baselineResult', { jobIds })).rows;
      baselineError.value = null;
    } catch (err) {
      baselineError.value = describeError(err);
      return;
    }
    if (baselineRows.value.some((r) => !FINAL.includes(r.state))) poll = setTimeout(() => void refreshBaseline(jobIds), BASELINE_POLL_MS);
  }

  /** Starts the baseline's score jobs (zero-shot and k-shot) and follows them until they end. */
  async function measureBaseline(): Promise<void> {
    measuring.value = true;
    baselineError.value = null;
    try {
      const started = await api.call('estimate.baseline', {
        modelPath: baseline.modelPath.trim(), evalVersionId: baseline.evalVersionId, shots: [...baseline.shots], limit: baseline.limit, seed: 0,
        exactMatch: baseline.exactMatch,
      });
      baselineRows.value = [];
      baselineExactMatch.value = baseline.exactMatch;
      await refreshBaseline(started.jobs.map((j) => j.jobId));
    } catch (err) {
      baselineError.value = describeError(err);
    } finally {
      measuring.value = false;
    }
  }

  function stop(): void {
    if (timer) clearTimeout(timer);
    if (poll) clearTimeout(poll);
    timer = poll = null;
  }

  // The comparison follows the run's settings and the answers, debounced like the estimate itself.
  watch([() => estimator.settings, answers], schedule, { deep: true });
  // Short answers are where exact match makes sense: the advisor's answer ticks the baseline's box (it can be unticked).
  watch(() => answers.shortAnswers, (short) => { baseline.exactMatch = short; }, { immediate: true });

  return {
    answers, result, error, datasets, baseline, baselineRows, baselineExactMatch, baselineError, measuring, compare, schedule, loadDatasets, measureBaseline, refreshBaseline, stop,
  };
});
