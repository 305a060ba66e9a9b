// The Adapter wizard's state: the model and its shape, the method and its settings, the live counts, warnings and
// memory estimate, and handing the settings to the Train page.
import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef, watch } from 'vue';
import {
  adapterSummary, adapterWarnings, effectiveScale, loraTargetCounts, METHOD_INFO, methodDefaults, presetSettings, toTrainInput,
  type AdapterSettings, type ModelSpecInfo, type PresetName,
} from '../../../src-main/common/adapter-methods';
import type { EstimateRunOutput } from '../../../src-main/common/estimate';
import { LORA_TARGET_NAMES, type TrainMethod, type TrainStartInput } from '../../../src-main/common/train';
import { api } from '../api';
import { describeError } from '../format';
import { useEstimatorStore } from './estimator';
import { useTrainStore } from './train';

/** The Estimator's default model: small enough for this computer, so the first numbers shown are a real option. */
export const DEFAULT_MODEL = 'Qwen2.5-0.5B';
/** Main's max_seq_len default is min(1024, the model's positions): virtual tokens must fit in it. */
const DEFAULT_MAX_SEQ_LEN = 1024;
export const ADAPTER_ESTIMATE_DEBOUNCE_MS = 200;

export const useAdapterStore = defineStore('adapter', () => {
  const estimator = useEstimatorStore();
  const train = useTrainStore();
  const modelInput = ref(DEFAULT_MODEL);
  const model = shallowRef<ModelSpecInfo | null>(null);
  const modelLoading = ref(false);
  const modelError = ref<string | null>(null);
  const settings = reactive<AdapterSettings>(methodDefaults('lora'));
  const preset = ref<PresetName | null>('balanced');
  const estimate = shallowRef<EstimateRunOutput | null>(null);
  const estimating = ref(false);
  const estimateError = ref<string | null>(null);
  let latestModel = 0;
  let latestEstimate = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const spec = computed(() => model.value?.spec ?? null);
  const summary = computed(() => (spec.value ? adapterSummary(spec.value, settings) : null));
  const maxSeqLen = computed(() => Math.min(DEFAULT_MAX_SEQ_LEN, spec.value?.maxPositions ?? DEFAULT_MAX_SEQ_LEN));
  const warnings = computed(() => (spec.value ? adapterWarnings(spec.value, settings, maxSeqLen.value) : []));
  const blocked = computed(() => warnings.value.some((w) => w.level === 'error'));
  const targetCounts = computed(() => (spec.value ? loraTargetCounts(spec.value, settings.rank, settings.useDora) : []));
  const scale = computed(() => effectiveScale(settings.alpha, settings.rank, settings.useRslora));
  const estimateAs = computed(() => METHOD_INFO[settings.method].estimateAs);
  /** The Train page needs a folder; a catalog name is only a shape, so the model is handed over only as a folder. */
  const trainInput = computed<Partial<TrainStartInput>>(() => ({
    ...(model.value?.source === 'folder' ? { model: model.value.name } : {}), ...toTrainInput(settings),
  }));

  async function loadModel(name = modelInput.value): Promise<void> {
    const wanted = name.trim();
    modelInput.value = wanted;
    if (!wanted) return;
    const id = ++latestModel;
    modelLoading.value = true;
    try {
      const info = await api.call('models.spec', { model: wanted });
      if (id !== latestModel) return;
      model.value = info;
      modelError.value = null;
    } catch (err) {
      if (id !== latestModel) return;
      model.value = null;
      modelError.value = describeError(err);
    } finally {
      if (id === latestModel) modelLoading.value = false;
    }
  }

  /** A new method starts from its own safe defaults (a P-tuning lr would wreck a full fine-tune). */
  function chooseMethod(method: TrainMethod): void {
    if (method === settings.method) return;
    Object.assign(settings, methodDefaults(method));
    preset.value = 'balanced';
  }

  function applyPreset(name: PresetName): void {
    Object.assign(settings, presetSettings(settings.method, name));
    preset.value = name;
  }

  /** The memory of these settings from the Estimator's API, with the Estimator page's batch, length, precision and device. */
  async function runEstimate(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    const id = ++latestEstimate;
    const as = estimateAs.value;
    if (!model.value || !as || blocked.value) {
      estimate.value = null;
      estimateError.value = null;
      estimating.value = false;
      return;
    }
    estimating.value = true;
    const e = estimator.settings;
    const all = settings.targets.length === LORA_TARGET_NAMES.length;
    try {
      const out = await api.call('estimate.run', {
        model: model.value.name, method: as, rank: settings.rank, targets: all ? 'all-linear' : [...settings.targets],
        ...(as === 'ptuning' ? { ptuning: { virtualTokens: settings.virtualTokens, encoder: settings.encoder, encoderHidden: settings.encoderHidden } } : {}),
        precision: e.precision, batchSize: e.batchSize, seqLen: e.seqLen, gradAccum: e.gradAccum, checkpointing: e.checkpointing,
        device: e.device, profile: e.profile, tokens: null,
      });
      if (id !== latestEstimate) return;
      estimate.value = out;
      estimateError.value = null;
    } catch (err) {
      if (id !== latestEstimate) return;
      estimate.value = null;
      estimateError.value = describeError(err);
    } finally {
      if (id === latestEstimate) estimating.value = false;
    }
  }

  function scheduleEstimate(): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void runEstimate(), ADAPTER_ESTIMATE_DEBOUNCE_MS);
  }

  /** Puts the settings where the Train form picks them up. */
  function handToTrain(): void {
    train.pendingAdapterSettings = { ...trainInput.value };
  }

  // A preset stays marked only while nothing has been changed by hand since: synchronous, so the assignments of
  // chooseMethod/applyPreset clear it first and their own marking comes after.
  watch(settings, () => { preset.value = null; }, { deep: true, flush: 'sync' });
  // Only what the estimate depends on re-estimates; a dragged slider sends one request, not thirty.
  watch(() => [model.value, settings.method, settings.rank, settings.targets.length, settings.targets.join(), settings.virtualTokens, settings.encoder, settings.encoderHidden, blocked.value], scheduleEstimate);

  return {
    modelInput, model, modelLoading, modelError, settings, preset, estimate, estimating, estimateError,
    spec, summary, maxSeqLen, warnings, blocked, targetCounts, scale, estimateAs, trainInput,
    loadModel, chooseMethod, applyPreset, runEstimate, scheduleEstimate, handToTrain,
  };
});
