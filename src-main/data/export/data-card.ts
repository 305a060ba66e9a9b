// The data card (README.md) exported beside a dataset: where it came from, under what license, what was done to it.
// Every field that came from a person or a file is written as text: HTML escaped, Markdown links and tables
// neutralized, only http(s) addresses linked, and source files named without the local folders they were read from.
import type { Dataset, DatasetVersion } from '../../common/datasets';

export interface CardFacts {
  dataset: Dataset;
  version: DatasetVersion;
  /** The version and its ancestors, oldest first. */
  lineage: DatasetVersion[];
  files: { file: string; sha256: string; format: string; rows: number; skipped: number }[];
  changes: { versionId: string; step: number; operator: string; removed: number; changed: number; restored: number }[];
  exportFormat: string;
  records: number;
  exportedAt: string;
}

function yesNo(value: boolean | null): string {
  return value === null ? 'unknown' : value ? 'yes' : 'no';
}

/**
 * Text as Markdown shows it, never as markup: HTML's special characters become entities (no tag, comment or
 * autolink can open), brackets are escaped (no link, image or link reference definition), and so are backslashes
 * and table pipes. Line breaks are kept unless INLINE (a heading, a list item, a table cell).
 */
export function mdText(value: string, inline = true): string {
  const escaped = value
    .replace(/[&<>]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt' }[c]};`)
    .replace(/[\\[\]|]/g, (c) => `\\${c}`);
  return inline ? escaped.replace(/\s*[\r\n]+\s*/g, ' ') : escaped.replace(/\r\n?/g, '\n');
}

/** An http(s) address as a Markdown autolink; anything else (javascript:, data:, file:, not a URL) is left out. */
export function mdUrl(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return `<${url.href}>`; // href percent-encodes spaces, quotes, < and >, so it cannot leave the autolink
}

/**
 * How the card names each source file: its base name, with as many parent folders as it takes to tell two files of
 * the same base name apart, never the absolute path it was read from on this machine.
 */
export function sourceNames(paths: readonly string[]): Map<string, string> {
  const distinct = [...new Set(paths)];
  const parts = new Map(distinct.map((p) => [p, p.split(/[\\/]+/).filter((s) => s !== '' && s !== '.' && s !== '..' && !/^[A-Za-z]:$/.test(s))]));
  const tail = (p: string, k: number) => parts.get(p)!.slice(-k).join('/');
  const names = new Map<string, string>();
  for (const p of distinct) {
    const own = parts.get(p)!;
    let k = 1;
    while (k < own.length && distinct.some((q) => q !== p && tail(q, k) === tail(p, k))) k += 1;
    names.set(p, tail(p, k) || '(unnamed)');
  }
  return names;
}

/** A fenced code block whose fence is longer than any run of backticks in CODE, so CODE cannot close it. */
function fenced(lang: string, code: string): string[] {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${lang}`, code, fence];
}

export function dataCard(f: CardFacts): string {
  const { dataset } = f;
  const { spdx, sourceUrl } = dataset.license;
  const source = sourceUrl === null ? 'unknown' : (mdUrl(sourceUrl) ?? 'left out (not an http or https address)');
  const names = sourceNames(f.files.map((x) => x.file));
  const lines = [
    `# ${mdText(dataset.name)}`,
    '',
    dataset.description === null ? '_No description._' : mdText(dataset.description, false),
    '',
    '## License and source',
    '',
    `- License (SPDX): ${spdx === null ? 'unknown — check before you publish or train a commercial model' : mdText(spdx)}`,
    `- Source: ${source}`,
    `- Commercial use allowed: ${yesNo(dataset.license.commercialUse)}`,
    '',
    '## This export',
    '',
    `- Version: ${f.version.version} (${mdText(f.version.kind)}), ${f.records} records, format ${mdText(f.exportFormat)}`,
    `- Exported: ${f.exportedAt} by Finetune Studio`,
    '',
    '## Source files',
    '',
    '| file | sha256 | format | rows | skipped |',
    '|---|---|---|---|---|',
    ...f.files.map((x) => `| ${mdText(names.get(x.file)!)} | ${mdText(x.sha256)} | ${mdText(x.format)} | ${x.rows} | ${x.skipped} |`),
    '',
    '## How it was made',
    '',
  ];
  for (const v of f.lineage) {
    lines.push(`### Version ${v.version} — ${mdText(v.kind)}, ${v.recordCount} records (${mdText(v.createdAt)})`, '');
    const steps = f.changes.filter((c) => c.versionId === v.id);
    if (steps.length > 0) {
      lines.push('| step | operator | removed | changed | restored |', '|---|---|---|---|---|');
      for (const s of steps) lines.push(`| ${s.step} | ${mdText(s.operator)} | ${s.removed} | ${s.changed} | ${s.restored} |`);
      lines.push('');
    }
    if (v.recipe) lines.push('Recipe:', '', ...fenced('yaml', v.recipe.trimEnd()), '');
  }
  return lines.join('\n');
}
