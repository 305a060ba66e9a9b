// `ftstudio data …`: import, inspect, clean (recipes), restore, undo, mix and export datasets — the Data wizard's
// every step, over the same services and contract as the app.
import { readFileSync } from 'node:fs';
import { ApiError } from '../../common/errors';
import type { ApiClient } from '../../common/contract';
import type { Dataset, DatasetVersion } from '../../common/datasets';
import { parseRecipeYaml } from '../../data/recipe/recipe-file';
import { EventHub, type Handlers } from '../../services/api-dispatch';
import { dataHandlers } from '../../services/data/data-handlers';
import { createMemoryClient } from '../../services/memory-transport';
import { defaultHome, homeLayout } from '../../services/paths';
import type { DatasetsRepo } from '../../store';
import { readApiEndpoint } from '../../services/api-endpoint';
import { connectRemote } from '../remote-client';
import { openStoreOrExplain } from '../store-access';
import { JobSupervisor } from '../../jobs/supervisor';
import { NodeLauncher } from '../../jobs/node-launcher';
import { ingestScores } from '../../services/data/score-version';
import { CliError, printResult, type CliContext } from '../output';

export const DATA_OPTIONS = {
  name: { type: 'string' }, recipe: { type: 'string' }, 'skip-bad-rows': { type: 'boolean' }, license: { type: 'string' },
  'source-url': { type: 'string' }, commercial: { type: 'string' }, description: { type: 'string' }, idx: { type: 'string' },
  operator: { type: 'string' }, source: { type: 'string', multiple: true }, total: { type: 'string' },
  'eval-fraction': { type: 'string' }, to: { type: 'string' }, search: { type: 'string' }, limit: { type: 'string' },
  offset: { type: 'string' }, map: { type: 'string' }, overwrite: { type: 'boolean' },
} as const;

export const DATA_HELP = `Data commands (datasets live in the app's database; NAME picks the current version, NAME@N version N):
  ftstudio data import PATH… --name NAME [--format auto|alpaca|sharegpt|openai|text] [--skip-bad-rows]
        [--map FIELD=COLUMN,…]   when the columns have other names, e.g. --map instruction=question,output=answer
        [--license SPDX] [--source-url URL] [--commercial yes|no] [--description TEXT]   files or folders of .jsonl/.json/.csv/.tsv/.parquet
  ftstudio data list | show NAME[@N] | ops
  ftstudio data records NAME[@N] [--search TEXT] [--offset N] [--limit N]
  ftstudio data clean NAME[@N] --recipe FILE.yaml          a new version; every removed or changed record is kept with its reason
  ftstudio data changes NAME@N [--operator OP] [--offset N] [--limit N]
  ftstudio data restore NAME@N (--idx N | --operator OP)   put records back as they were before that version's recipe
  ftstudio data undo NAME[@N]                              the current version is kept but its parent becomes current
  ftstudio data score NAME[@N] --model DIR [--max-seq-len N] [--threads N]   IFD and perplexity per record (the model's
        forward pass in an engine process; then a recipe step {op: score_filter, params: {score: ifd, max: 1}} uses them)
  ftstudio data mix --name NAME --source NAME[@N]=RATIO… [--total N] [--seed 42] [--eval-fraction F]
  ftstudio data export NAME[@N] --out FILE [--to openai|alpaca|sharegpt] [--overwrite]   JSONL plus a data card (README.md);
                                                     an existing FILE is replaced only with --overwrite (keeping its permissions)`;

type Values = Record<string, string | boolean | string[] | undefined>;

function str(values: Values, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

function num(values: Values, key: string): number | undefined {
  const v = str(values, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CliError(`--${key} must be a number, got ${JSON.stringify(v)}.`, 2);
  return n;
}

function need(value: string | undefined, what: string): string {
  if (value === undefined) throw new CliError(`${what} is required. Run \`ftstudio data --help\`.`, 2);
  return value;
}

/** --map instruction=question,output=answer → {instruction: 'question', output: 'answer'}. */
function parseMap(text: string | undefined): Record<string, string> {
  if (!text) return {};
  const out: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const m = /^\s*([a-z_]+)\s*=\s*(.+?)\s*$/.exec(pair);
    if (!m) throw new CliError(`--map ${text}: expected FIELD=COLUMN pairs separated by commas, e.g. instruction=question,output=answer.`, 2);
    out[m[1]] = m[2];
  }
  return out;
}

async function resolveVersion(client: ApiClient, ref: string): Promise<{ dataset: Dataset; version: DatasetVersion }> {
  const [name, v] = ref.split('@');
  const dataset = await client.call('data.get', { name });
  const version = v === undefined ? dataset.currentVersion : dataset.versions.find((x) => String(x.version) === v.replace(/^v/, ''));
  if (!version) throw new CliError(`Dataset "${name}" has no version ${v ?? '(current)'}; it has ${dataset.versions.map((x) => x.version).join(', ')}.`);
  return { dataset, version };
}

function describeDataset(d: Dataset): string {
  const versions = d.versions.map((v) => `  v${v.version} ${v.kind.padEnd(6)} ${String(v.recordCount).padStart(9)} records ${v.state === 'undone' ? '(undone)' : ''}${v.id === d.currentVersion?.id ? ' ← current' : ''}`);
  return [`${d.name}  license ${d.license.spdx ?? 'unknown'}, commercial use ${d.license.commercialUse ?? 'unknown'}`, ...versions].join('\n');
}

/** Progress on stderr (never on stdout, which --json keeps for the one JSON document). */
function followProgress(ctx: CliContext, client: ApiClient): () => void {
  return client.on('data.progress', (e) => {
    if (ctx.json) return;
    const pct = e.total ? ` ${((e.done / e.total) * 100).toFixed(0)}%` : '';
    const rate = e.recordsPerSecond != null ? ` ${Math.round(e.recordsPerSecond).toLocaleString('en-US')} rows/s` : '';
    const eta = e.etaSeconds != null ? ` ETA ${Math.ceil(e.etaSeconds)} s` : '';
    ctx.stderr(`${e.phase}${pct}${e.records != null ? ` ${e.records.toLocaleString('en-US')} rows` : ''}${rate}${eta}`);
  });
}

interface Scoring { supervisor: JobSupervisor; repo: DatasetsRepo }

async function run(ctx: CliContext, client: ApiClient, sub: string, args: string[], values: Values, scoring: Scoring | null): Promise<number> {
  const taskId = `cli-${process.pid}`;
  // Ctrl+C cancels the running task; the service removes whatever it had written.
  const onSigint = () => { void client.call('data.cancel', { taskId }); };
  process.once('SIGINT', onSigint);
  const stop = followProgress(ctx, client);
  try {
    switch (sub) {
      case 'import': {
        if (args.length === 0) throw new CliError('data import needs at least one file or folder.', 2);
        const commercial = str(values, 'commercial');
        if (commercial !== undefined && !['yes', 'no'].includes(commercial)) throw new CliError('--commercial must be yes or no.', 2);
        const out = await client.call('data.import', {
          taskId, paths: args, name: need(str(values, 'name'), '--name'), format: (str(values, 'format') ?? 'auto') as 'auto',
          skipBadRows: values['skip-bad-rows'] === true, columns: parseMap(str(values, 'map')), description: str(values, 'description') ?? null,
          license: { spdx: str(values, 'license') ?? null, sourceUrl: str(values, 'source-url') ?? null, commercialUse: commercial === undefined ? null : commercial === 'yes' },
        });
        printResult(ctx, out, () => [
          `Imported ${out.report.records} records into "${out.dataset.name}" v1 in ${out.report.seconds.toFixed(1)} s (${out.report.skipped} rows skipped).`,
          ...out.report.files.map((f) => `  ${f.file}: ${f.format}, ${f.rows} rows, ${f.skipped} skipped, sha256 ${f.sha256.slice(0, 12)}…`),
          ...out.report.problems.slice(0, 10).map((p) => `  skipped: ${p.reason}`),
        ].join('\n'));
        return 0;
      }
      case 'list': {
        const list = await client.call('data.list', {});
        printResult(ctx, list, () => (list.length ? list.map(describeDataset).join('\n') : 'No datasets yet: ftstudio data import PATH --name NAME'));
        return 0;
      }
      case 'show': {
        const { dataset } = await resolveVersion(client, need(args[0], 'A dataset name'));
        printResult(ctx, dataset, () => describeDataset(dataset));
        return 0;
      }
      case 'ops': {
        const ops = await client.call('data.ops', {});
        printResult(ctx, ops, () => ops.map((o) => `${o.name.padEnd(20)} ${o.description}\n${' '.repeat(21)}defaults ${JSON.stringify(o.defaults)}`).join('\n'));
        return 0;
      }
      case 'records': {
        const { version } = await resolveVersion(client, need(args[0], 'A dataset name'));
        const page = await client.call('data.records', { versionId: version.id, search: str(values, 'search'), offset: num(values, 'offset') ?? 0, limit: num(values, 'limit') ?? 20 });
        printResult(ctx, page, () => [`${page.total} records`, ...page.rows.map((r) => `#${r.idx} ${JSON.stringify(r.messages[0]?.content.slice(0, 100))}`)].join('\n'));
        return 0;
      }
      case 'clean': {
        const { version } = await resolveVersion(client, need(args[0], 'A dataset name'));
        const file = need(str(values, 'recipe'), '--recipe FILE');
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (err) {
          throw new CliError(`Cannot read the recipe ${file}: ${(err as Error).message}`);
        }
        const out = await client.call('data.clean', { taskId, versionId: version.id, recipe: parseRecipeYaml(text, file) });
        printResult(ctx, out, () => [
          `"${out.dataset.name}" v${out.version.version}: ${out.version.recordCount} of ${out.examined} records kept in ${out.seconds.toFixed(1)} s.`,
          ...out.steps.map((s) => `  step ${s.step} ${s.op.padEnd(20)} removed ${s.removed}, changed ${s.changed}`),
          `See what was removed: ftstudio data changes ${out.dataset.name}@${out.version.version}`,
        ].join('\n'));
        return 0;
      }
      case 'changes': {
        const { version } = await resolveVersion(client, need(args[0], 'A dataset name'));
        const out = await client.call('data.changes', { versionId: version.id, operator: str(values, 'operator'), offset: num(values, 'offset') ?? 0, limit: num(values, 'limit') ?? 20 });
        printResult(ctx, out, () => [`${out.total} changes`, ...out.rows.map((c) => `#${c.idx} ${c.operator} ${c.action}${c.restoredAt ? ' (restored)' : ''}: ${c.reason}`)].join('\n'));
        return 0;
      }
      case 'restore': {
        const { version } = await resolveVersion(client, need(args[0], 'A dataset name'));
        const out = await client.call('data.restore', { versionId: version.id, idx: num(values, 'idx'), operator: str(values, 'operator') });
        printResult(ctx, out, () => `Restored ${out.restored} record(s); v${version.version} now holds ${out.dataset.versions.find((v) => v.id === version.id)?.recordCount} records.`);
        return 0;
      }
      case 'undo': {
        const { version } = await resolveVersion(client, need(args[0], 'A dataset name'));
        const out = await client.call('data.undo', { versionId: version.id });
        printResult(ctx, out, () => `Undid v${version.version}; "${out.name}" is back at v${out.currentVersion?.version}.`);
        return 0;
      }
      case 'mix': {
        const specs = (values.source as string[] | undefined) ?? [];
        if (specs.length === 0) throw new CliError('data mix needs --source NAME[@N]=RATIO (one per source).', 2);
        const sources = [];
        for (const spec of specs) {
          const m = /^(.+)=([0-9.]+)$/.exec(spec);
          if (!m) throw new CliError(`--source ${spec}: expected NAME[@N]=RATIO, e.g. domain=0.7.`, 2);
          sources.push({ versionId: (await resolveVersion(client, m[1])).version.id, ratio: Number(m[2]) });
        }
        const out = await client.call('data.mix', { taskId, name: need(str(values, 'name'), '--name'), sources, total: num(values, 'total'), seed: num(values, 'seed') ?? 42, evalFraction: num(values, 'eval-fraction') ?? 0 });
        printResult(ctx, out, () => [`"${out.dataset.name}": ${out.dataset.currentVersion?.recordCount} records. ${out.dataset.description}`,
          ...(out.eval ? [`"${out.eval.name}": ${out.eval.currentVersion?.recordCount} records held out for eval.`] : [])].join('\n'));
        return 0;
      }
      case 'score': {
        const { version } = await resolveVersion(client, need(args[0], 'A dataset name'));
        const started = await client.call('data.score', {
          versionId: version.id, modelPath: need(str(values, 'model'), '--model DIR'),
          maxSeqLen: num(values, 'max-seq-len'), threads: num(values, 'threads'),
        });
        if (!scoring) {
          // Through a running server the job runs there; the CLI follows scoring only when it holds the database itself.
          printResult(ctx, { job: started.id, runDir: started.runDir, followed: false }, () => `Scoring started as job ${started.id} in the running Finetune Studio server; follow it on its Runs page.`);
          return 0;
        }
        const job = (await scoring.supervisor.whenSettled(started.id)) ?? started;
        if (job.state !== 'completed') throw new CliError(`scoring ${job.state}: ${(job.reason ?? 'no reason recorded').replace(/^Error: /, '').split('\n')[0]}`);
        await ingestScores(scoring.repo, job);
        const out = await client.call('data.scores', { versionId: version.id });
        printResult(ctx, { job: job.id, runDir: job.runDir, ...out }, () => [
          `Scored v${version.version}: ${out.names[0]?.count ?? 0} of ${version.recordCount} records (the others are too long or have too short an answer; their reasons are in ${job.runDir}/scores.jsonl):`,
          ...out.names.map((n) => `  ${n.name.padEnd(26)} ${n.count} records, min ${n.min.toFixed(3)}, median ${n.median.toFixed(3)}, max ${n.max.toFixed(3)}`),
        ].join('\n'));
        return 0;
      }
      case 'export': {
        const { version } = await resolveVersion(client, need(args[0], 'A dataset name'));
        const out = await client.call('data.export', { versionId: version.id, path: need(str(values, 'out'), '--out FILE'), format: (str(values, 'to') ?? 'openai') as 'openai', overwrite: values.overwrite === true });
        printResult(ctx, out, () => `Wrote ${out.records} records to ${out.path} and the data card to ${out.cardPath}.`);
        return 0;
      }
      default:
        throw new CliError(`Unknown data command ${JSON.stringify(sub)}.\n${DATA_HELP}`, 2);
    }
  } finally {
    stop();
    process.off('SIGINT', onSigint);
  }
}

export async function dataCommand(ctx: CliContext, positionals: string[], values: Values): Promise<number> {
  const [sub, ...args] = positionals;
  if (sub === undefined || values.help) {
    ctx.stdout(ctx.json ? JSON.stringify({ help: DATA_HELP }) : DATA_HELP);
    return 0;
  }
  const home = defaultHome();
  const layout = homeLayout(home);
  // A running `serve` on this folder holds the database: go through its API instead (score is followed in the app).
  const endpoint = readApiEndpoint(home);
  const remote = endpoint ? await connectRemote(endpoint) : null;
  if (remote) {
    try {
      return await run(ctx, remote, sub, args, values, null);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'cancelled') throw new CliError(err.message, 130);
      throw err;
    } finally {
      remote.close();
    }
  }
  const store = await openStoreOrExplain(home, `ftstudio data ${sub}`);
  const hub = new EventHub();
  // Only `data score` runs an engine job; the other commands never start the supervisor.
  const supervisor = sub === 'score'
    ? new JobSupervisor({ jobs: store.jobs, launcher: new NodeLauncher({ stdio: ctx.json ? 'ignore' : 'inherit' }), hub, runsDir: layout.runs })
    : null;
  try {
    await store.datasets.discardUnfinished();
    const jobs = supervisor ? () => supervisor : undefined;
    const handlers = dataHandlers(() => store.datasets, hub, { jobs, runsDir: layout.runs }) as unknown as Handlers; // only data.* is called
    const client = createMemoryClient(handlers, hub);
    return await run(ctx, client, sub, args, values, supervisor ? { supervisor, repo: store.datasets } : null);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'cancelled') throw new CliError(err.message, 130);
    throw err;
  } finally {
    await supervisor?.shutdown();
    await store.close();
  }
}

