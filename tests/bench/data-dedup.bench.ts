// Benchmark: near_dedup (MinHash-LSH) on synthetic instruction records with planted near-duplicates — time, precision
// and recall against the planted pairs, per edit rate — and exact_dedup's throughput over a million records.
// Data: a 4,000-word generated vocabulary drawn Zipf-like (so unrelated records share common words, as real text does);
// ~10% of records copy an earlier one with 5–15% of words replaced, inserted or deleted. Nothing is written to disk.
// Peer (DESIGN §6): exact_dedup against a plain Set of the raw prompts in the same run.
// Run: npx tsx tests/bench/data-dedup.bench.ts [--rows 100000] [--exact-rows 1000000]   Prints one JSON object.
import { exactDedupOperator } from '../../src-main/data/ops/exact-dedup';
import { nearDedupOperator } from '../../src-main/data/ops/near-dedup';
import type { DataRecord, RecordDecider } from '../../src-main/data/ops/operator';
import { mulberry32 } from '../../src-main/data/dedup/hash';
import { shingleHashes } from '../../src-main/data/dedup/shingles';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const ROWS = arg('--rows', 100_000);
const EXACT_ROWS = arg('--exact-rows', 1_000_000);

const rand = mulberry32(20240601);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

// Vocabulary: distinct pseudo-words of 2–4 consonant-vowel syllables; weights 1/(rank+10) (Zipf with a flattened head).
const VOCAB: string[] = (() => {
  const words = new Set<string>();
  const [cs, vs] = ['bcdfghjklmnprstvwz', 'aeiou'];
  while (words.size < 4000) {
    let w = '';
    for (let s = int(2, 4); s > 0; s--) w += cs[int(0, cs.length - 1)] + vs[int(0, vs.length - 1)];
    words.add(w);
  }
  return [...words];
})();
const CDF = (() => {
  const w = VOCAB.map((_, k) => 1 / (k + 10));
  const total = w.reduce((a, b) => a + b);
  let acc = 0;
  return Float64Array.from(w, (x) => (acc += x / total));
})();
function word(): string {
  const u = rand();
  let [lo, hi] = [0, CDF.length - 1];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (CDF[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return VOCAB[lo];
}
const words = (n: number) => Array.from({ length: n }, word);

/** Applies round(RATE × length) random edits (a third each: replace, insert, delete) to a copy of WS. */
function edit(ws: string[], rate: number): string[] {
  const out = ws.slice();
  for (let k = Math.max(1, Math.round(rate * ws.length)); k > 0; k--) {
    const at = int(0, out.length - 1);
    const kind = int(0, 2);
    if (kind === 0) out[at] = word();
    else if (kind === 1) out.splice(at, 0, word());
    else if (out.length > 5) out.splice(at, 1);
  }
  return out;
}

const toRecord = (idx: number, prompt: string[], answer: string[]): DataRecord => ({
  idx,
  messages: [{ role: 'user', content: prompt.join(' ') }, { role: 'assistant', content: answer.join(' ') + '.' }],
});

// ---- near_dedup -------------------------------------------------------------------------------------------------
interface Planted { cluster: Int32Array; rate: Float64Array; source: Int32Array }
function generateNear(): { records: DataRecord[]; planted: Planted } {
  const planted: Planted = { cluster: new Int32Array(ROWS), rate: new Float64Array(ROWS), source: new Int32Array(ROWS).fill(-1) };
  const texts: [string[], string[]][] = [];
  const records: DataRecord[] = [];
  for (let i = 0; i < ROWS; i++) {
    let pa: [string[], string[]];
    if (i > 0 && rand() < 0.1) {
      const j = int(0, i - 1);
      const rate = 0.05 + 0.1 * rand();
      pa = [edit(texts[j][0], rate), edit(texts[j][1], rate)];
      planted.cluster[i] = planted.cluster[j];
      planted.rate[i] = rate;
      planted.source[i] = j;
    } else {
      pa = [words(int(15, 40)), words(int(45, 110))];
      planted.cluster[i] = i;
    }
    texts.push(pa);
    records.push(toRecord(i, pa[0], pa[1]));
  }
  return { records, planted };
}

function jaccard(a: Int32Array, b: Int32Array): number {
  const [sa, sb] = [new Set(a), new Set(b)];
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  return inter / (sa.size + sb.size - inter);
}

const BUCKETS = [[0.05, 0.075], [0.075, 0.1], [0.1, 0.125], [0.125, 0.15]] as const;
const bucketName = ([lo, hi]: readonly [number, number]) => `${(lo * 100).toFixed(1)}-${(hi * 100).toFixed(1)}%`;

/** True Jaccard of planted pairs' shingle sets (first 400 pairs per bucket): what a threshold has to accept. */
function plantedJaccard(records: DataRecord[], planted: Planted, ngram: number): Record<string, number> {
  const text = (r: DataRecord) => r.messages.map((m) => m.content).join('\n');
  const out: Record<string, number> = {};
  for (const b of BUCKETS) {
    const js: number[] = [];
    for (let i = 0; i < ROWS && js.length < 400; i++) {
      if (planted.source[i] < 0 || planted.rate[i] < b[0] || planted.rate[i] >= b[1]) continue;
      js.push(jaccard(shingleHashes(text(records[i]), ngram), shingleHashes(text(records[planted.source[i]]), ngram)));
    }
    out[bucketName(b)] = Number((js.reduce((x, y) => x + y, 0) / js.length).toFixed(3));
  }
  return out;
}

async function runNear(records: DataRecord[], planted: Planted, config: { threshold?: number; ngram?: number }) {
  const t0 = performance.now();
  const decide = await nearDedupOperator.create(nearDedupOperator.params.parse(config), {});
  let [removed, correct, plantedTotal] = [0, 0, 0];
  const perBucket = BUCKETS.map(() => ({ planted: 0, found: 0 }));
  for (const r of records) {
    const d = decide(r);
    const i = r.idx;
    const isPlanted = planted.source[i] >= 0;
    const ok = d.action === 'remove' && isPlanted && planted.cluster[d.duplicateOf!] === planted.cluster[i];
    if (d.action === 'remove') removed++;
    if (ok) correct++;
    if (isPlanted) {
      plantedTotal++;
      const b = perBucket[Math.min(3, Math.floor((planted.rate[i] - 0.05) / 0.025))];
      b.planted++;
      if (ok) b.found++;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const params = nearDedupOperator.params.parse(config);
  return {
    params: { threshold: params.threshold, ngram: params.ngram, numPerm: params.numPerm, scope: params.scope },
    seconds: Number(seconds.toFixed(2)),
    removed,
    planted: plantedTotal,
    precision: Number((correct / Math.max(1, removed)).toFixed(4)),
    recall: Number((correct / plantedTotal).toFixed(4)),
    recall_by_edit_rate: Object.fromEntries(BUCKETS.map((b, k) => [bucketName(b), Number((perBucket[k].found / perBucket[k].planted).toFixed(4))])),
    true_jaccard_of_planted_pairs_by_edit_rate: plantedJaccard(records, planted, params.ngram),
  };
}

// ---- exact_dedup ------------------------------------------------------------------------------------------------
/**
 * EXACT_ROWS records generated in batches of 10,000 (only the operator's calls are timed); ~10% repeat an earlier
 * prompt with case, spacing or end punctuation changed.
 */
async function runExact() {
  const decide: RecordDecider = await exactDedupOperator.create(exactDedupOperator.params.parse({}), {});
  const recent: string[] = [];
  const rawSet = new Set<string>();
  let [opMs, peerMs, removed, planted] = [0, 0, 0, 0];
  const answer = words(40).join(' ');
  for (let from = 0; from < EXACT_ROWS; from += 10_000) {
    const batch: DataRecord[] = [];
    for (let i = from; i < Math.min(EXACT_ROWS, from + 10_000); i++) {
      let prompt: string;
      if (recent.length > 0 && rand() < 0.1) {
        const src = recent[int(0, recent.length - 1)];
        const v = int(0, 2);
        prompt = v === 0 ? src.toUpperCase() : v === 1 ? src.replace(/ /g, '  ') + '  ' : `${src}?`;
        planted++;
      } else {
        prompt = words(int(10, 40)).join(' ');
        if (recent.length < 10_000) recent.push(prompt);
        else recent[int(0, recent.length - 1)] = prompt;
      }
      batch.push(toRecord(i, [prompt], [answer]));
    }
    let t = performance.now();
    for (const record of batch) if (decide(record).action === 'remove') removed++;
    opMs += performance.now() - t;
    t = performance.now();
    for (const record of batch) rawSet.add(record.messages[0].content);
    peerMs += performance.now() - t;
  }
  return {
    rows: EXACT_ROWS,
    seconds: Number((opMs / 1000).toFixed(2)),
    removed,
    planted_duplicates: planted,
    peer_raw_string_set_seconds: Number((peerMs / 1000).toFixed(2)),
    ratio_to_peer: Number((opMs / peerMs).toFixed(1)),
  };
}

const gen0 = performance.now();
const { records, planted } = generateNear();
const generateSeconds = (performance.now() - gen0) / 1000;
const nearDefault = await runNear(records, planted, {});
const nearEditTolerant = await runNear(records, planted, { ngram: 2, threshold: 0.5 });
records.length = 0;
const exact = await runExact();
console.log(JSON.stringify({
  rows: ROWS,
  generate_seconds: Number(generateSeconds.toFixed(2)),
  near_dedup_default: nearDefault,
  near_dedup_edit_tolerant: nearEditTolerant,
  exact_dedup: exact,
  rss_peak_mib: Math.round(process.resourceUsage().maxRSS / 1024),
}, null, 2));
