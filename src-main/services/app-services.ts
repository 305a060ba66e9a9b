// Assembles the services behind the API (store, hardware, jobs) and maps every contract method to one of them.
import { ApiError } from '../common/errors';
import type { AppInfo } from '../common/contract';
import type { HardwareReport } from '../common/hardware';
import { JobSupervisor } from '../jobs/supervisor';
import type { EngineLauncher } from '../jobs/launcher';
import { EventHub, type Handlers } from './api-dispatch';
import { APP_NAME, APP_VERSION } from './app-version';
import { isSafeExternalUrl } from './external-url';
import { createEstimateService } from './estimate-service';
import { describeModel } from './model-spec-service';
import { initCheckResult, startInitCheck } from './adapters/init-check';
import { baselineResult, startBaseline } from './estimate/baseline';
import { calibrationFile, startCalibration } from './estimate/calibration';
import { detectHardware, type ProviderProbe } from './hardware/detect';
import { homeLayout } from './paths';
import { readRunMetrics } from './run-metrics';
import { readRunTelemetry } from './run-telemetry';
import { startTrainingFromApp } from './train/start-from-app';
import { dryRunResult, startDryRun } from './precision/dry-run';
import { StoreService } from './store-service';
import { dataHandlers } from './data/data-handlers';

export interface AppServicesOptions {
  home: string;
  mode: AppInfo['mode'];
  launcher: EngineLauncher;
  providers: ProviderProbe;
  /** Opens a checked URL in the system browser; absent in serve mode (the browser is already the shell). */
  openExternal?: (url: string) => Promise<void>;
  /** The system's open dialog; absent in serve mode (a web page cannot hand the server a file path). */
  pickPaths?: (kind: 'files' | 'folder', title?: string) => Promise<string[]>;
}

export interface AppServices {
  handlers: Handlers;
  hub: EventHub;
  close(): Promise<void>;
}

export async function createAppServices(options: AppServicesOptions): Promise<AppServices> {
  const layout = homeLayout(options.home);
  const hub = new EventHub();
  const estimator = createEstimateService({ calibrationFile: calibrationFile(options.home), jobs: async () => (supervisor ? supervisor.list() : []) });
  const storeService = new StoreService(layout.database);
  let supervisor: JobSupervisor | null = null;
  let hardware: Promise<HardwareReport> | null = null;

  /** The job system lives on the store: (re)built whenever a healthy store is opened. */
  async function attachSupervisor(): Promise<void> {
    const store = storeService.current();
    supervisor = store ? new JobSupervisor({ jobs: store.jobs, launcher: options.launcher, hub, runsDir: layout.runs }) : null;
    await supervisor?.reconcile();
  }
  await storeService.open();
  // An import or clean that a crash cut short left an unfinished version: remove it before anyone sees it.
  await storeService.current()?.datasets.discardUnfinished();
  await attachSupervisor();

  const jobs = (): JobSupervisor => {
    storeService.require();
    if (!supervisor) throw new ApiError('store-problem', 'The job system is not available without a database.');
    return supervisor;
  };

  const handlers: Handlers = {
    'app.info': () => ({ name: APP_NAME, version: APP_VERSION, mode: options.mode, home: options.home, platform: process.platform }),
    'hardware.get': ({ refresh }) => {
      // Probing execution providers costs a second or two, so the report is cached until asked to refresh.
      if (!hardware || refresh) hardware = detectHardware(options.home, options.providers);
      return hardware;
    },
    'store.status': () => storeService.status(),
    'store.moveAside': async () => {
      const { movedTo } = await storeService.moveAside();
      await storeService.current()?.datasets.discardUnfinished();
      await attachSupervisor();
      return { movedTo, status: storeService.status() };
    },
    'jobs.list': () => jobs().list(),
    'jobs.get': async ({ id }) => {
      const job = await jobs().get(id);
      if (!job) throw new ApiError('not-found', `No job with id ${id}.`);
      return job;
    },
    'jobs.start': ({ kind, params }) => jobs().start(kind, params),
    'jobs.cancel': ({ id }) => jobs().cancel(id),
    'jobs.resume': ({ id }) => jobs().resume(id),
    'train.start': (input) => startTrainingFromApp(input, layout.runs, jobs()),
    'jobs.metrics': async ({ id, afterStep }) => {
      const job = await jobs().get(id);
      if (!job) throw new ApiError('not-found', `No job with id ${id}.`);
      return job.runDir ? readRunMetrics(job.runDir, afterStep) : [];
    },
    'jobs.telemetry': async ({ id, kind }) => {
      const job = await jobs().get(id);
      if (!job) throw new ApiError('not-found', `No job with id ${id}.`);
      return job.runDir ? readRunTelemetry(job.runDir, kind) : [];
    },
    'estimate.options': () => estimator.options(),
    'estimate.run': (input) => estimator.run(input),
    'estimate.alternatives': (input) => estimator.alternatives(input),
    'estimate.calibrate': (input) => startCalibration(jobs(), calibrationFile(options.home), input),
    'estimate.calibration': ({ threads }) => estimator.calibration(threads),
    'models.spec': ({ model }) => describeModel(model),
    'adapter.initCheck': (input) => startInitCheck(input, layout.runs, jobs()),
    'adapter.initCheckResult': ({ id }) => initCheckResult(id, jobs()),
    'estimate.baseline': (input) => startBaseline(storeService.require().datasets, jobs(), layout.runs, input),
    'estimate.baselineResult': ({ jobIds }) => baselineResult(jobs(), jobIds),
    'precision.dryRun': (input) => startDryRun(input, layout.runs, jobs()),
    'precision.dryRunResult': ({ jobIds }) => dryRunResult(jobs(), jobIds),
    ...dataHandlers(() => storeService.require().datasets, hub, { jobs, runsDir: layout.runs }),
    'dialog.openPaths': async ({ kind, title }) => {
      if (!options.pickPaths) throw new ApiError('unavailable', 'There is no file dialog in the browser: type the path of the file or folder instead.');
      return { paths: await options.pickPaths(kind, title) };
    },
    'external.open': async ({ url }) => {
      if (!isSafeExternalUrl(url)) throw new ApiError('invalid-input', `Refusing to open ${url}: only http(s) web pages open outside the app.`);
      if (!options.openExternal) return { opened: false };
      await options.openExternal(url);
      return { opened: true };
    },
  };

  return {
    handlers,
    hub,
    async close() {
      await supervisor?.shutdown();
      await storeService.close();
    },
  };
}
