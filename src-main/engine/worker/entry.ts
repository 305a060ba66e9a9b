// Entry of the job thread: runs one engine job off the host's main thread, so blocking ORT calls cannot starve it.
import { parentPort, workerData } from 'node:worker_threads';
import type { FromEngine } from '../../common/engine-protocol';
import { engineJobs } from '../jobs';
import { readStop, type FromJobThread, type JobThreadData } from './protocol';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('The engine job thread must be started by the engine host.');
  const data = workerData as JobThreadData;
  const post = (m: FromJobThread) => port.postMessage(m);
  const load = engineJobs[data.kind];
  if (!load) throw new Error(`This engine cannot run jobs of kind "${data.kind}".`);
  const job = await load();
  const outcome = await job.run({
    jobId: data.jobId, params: data.params, runDir: data.runDir,
    emit: (msg: FromEngine) => post({ type: 'emit', msg }),
    stopReason: () => readStop(data.stopFlag),
  });
  post({ type: 'outcome', outcome });
}

// A throw or rejection here becomes the Worker's 'error' event in the host, which reports the job as failed.
await main();
