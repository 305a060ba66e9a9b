// The data card (README.md) exported beside a dataset: where it came from, under what license, what was done to it.
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

export function dataCard(f: CardFacts): string {
  const { dataset } = f;
  const lines = [
    `# ${dataset.name}`,
    '',
    dataset.description ?? '_No description._',
    '',
    '## License and source',
    '',
    `- License (SPDX): ${dataset.license.spdx ?? 'unknown — check before you publish or train a commercial model'}`,
    `- Source: ${dataset.license.sourceUrl ?? 'unknown'}`,
    `- Commercial use allowed: ${yesNo(dataset.license.commercialUse)}`,
    '',
    '## This export',
    '',
    `- Version: ${f.version.version} (${f.version.kind}), ${f.records} records, format ${f.exportFormat}`,
    `- Exported: ${f.exportedAt} by Finetune Studio`,
    '',
    '## Source files',
    '',
    '| file | sha256 | format | rows | skipped |',
    '|---|---|---|---|---|',
    ...f.files.map((x) => `| ${x.file} | ${x.sha256} | ${x.format} | ${x.rows} | ${x.skipped} |`),
    '',
    '## How it was made',
    '',
  ];
  for (const v of f.lineage) {
    lines.push(`### Version ${v.version} — ${v.kind}, ${v.recordCount} records (${v.createdAt})`, '');
    const steps = f.changes.filter((c) => c.versionId === v.id);
    if (steps.length > 0) {
      lines.push('| step | operator | removed | changed | restored |', '|---|---|---|---|---|');
      for (const s of steps) lines.push(`| ${s.step} | ${s.operator} | ${s.removed} | ${s.changed} | ${s.restored} |`);
      lines.push('');
    }
    if (v.recipe) lines.push('Recipe:', '', '```yaml', v.recipe.trimEnd(), '```', '');
  }
  return lines.join('\n');
}
