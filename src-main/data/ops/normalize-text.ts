// normalize_text: Unicode NFKC, tidy whitespace and line endings in every turn, leaving fenced code blocks as written.
import { z } from 'zod';
import { defineOperator, KEEP, type Decision } from './operator';
import { mapTexts } from './record-text';
import { splitFences } from './code-fences';

const params = z.object({
  /** NFKC folds compatibility forms (full-width letters, ligatures, non-breaking spaces) into their plain characters. */
  nfkc: z.boolean().default(true),
  collapseSpaces: z.boolean().default(true),
  trim: z.boolean().default(true),
  /** Three or more blank lines in a row become two. */
  collapseBlankLines: z.boolean().default(true),
}).strict();
type Params = z.infer<typeof params>;

// Full-width punctuation (，：？！（）) is correct Chinese and Japanese typography, not a compatibility form to fold:
// NFKC applies to everything else (full-width letters and digits, ligatures, half-width katakana, odd spaces).
const NOT_CJK_PUNCTUATION = /[^\uFF01-\uFF0F\uFF1A-\uFF20\uFF3B-\uFF40\uFF5B-\uFF65]+/g;

type Step = 'Unicode NFKC' | 'line endings' | 'repeated spaces' | 'trailing spaces' | 'blank lines' | 'leading/trailing whitespace';

/** The prose rules, one step at a time so the reason can say which ones changed something. */
function normalizeProse(prose: string, p: Params, changed: Set<Step>): string {
  const step = (name: Step, text: string, fn: (t: string) => string): string => {
    const out = fn(text);
    if (out !== text) changed.add(name);
    return out;
  };
  let t = prose;
  if (p.nfkc) t = step('Unicode NFKC', t, (s) => s.replace(NOT_CJK_PUNCTUATION, (run) => run.normalize('NFKC')));
  if (p.collapseSpaces) {
    // Leading indentation is kept: in Markdown it nests lists and marks indented code.
    t = step('repeated spaces', t, (s) => s.replace(/(?<=[^ \t\n])[ \t]{2,}(?=[^ \t\n])|(?<=[^ \t\n])\t(?=[^ \t\n])/g, ' '));
    t = step('trailing spaces', t, (s) => s.replace(/[ \t]+(?=\n|$)/g, ''));
  }
  if (p.collapseBlankLines) t = step('blank lines', t, (s) => s.replace(/\n{4,}/g, '\n\n\n'));
  return t;
}

/** Normalizes one turn; CHANGED collects the names of the steps that changed something. */
export function normalizeText(text: string, p: Params, changed: Set<Step>): string {
  // Line endings first, everywhere (code included): "\r\n" and "\n" are the same line break, and fences are found by line.
  let t = text.replace(/\r\n?/g, '\n');
  if (t !== text) changed.add('line endings');
  const segments = splitFences(t);
  t = segments.map((s) => (s.code ? s.text : normalizeProse(s.text, p, changed))).join('');
  if (p.trim) {
    // Only prose at the edges is trimmed: a block that opens or ends the turn keeps its indentation.
    const before = t;
    if (!segments[0]?.code) t = t.replace(/^\s+/, '');
    if (!segments[segments.length - 1]?.code) t = t.replace(/\s+$/, '');
    if (t !== before) changed.add('leading/trailing whitespace');
  }
  return t;
}

export const normalizeTextOperator = defineOperator({
  name: 'normalize_text',
  title: 'Normalize text',
  description:
    'Folds Unicode compatibility characters (NFKC), collapses repeated spaces and blank lines, trims each turn and ' +
    'uses \\n line endings, so equal texts compare equal; fenced code blocks keep their whitespace.',
  group: 'normalize',
  params,
  create(p) {
    return (record): Decision => {
      const changed = new Set<Step>();
      const out = mapTexts(record, (text) => normalizeText(text, p, changed));
      if (!out) return KEEP;
      return { action: 'change', reason: `normalized: ${[...changed].join(', ')}`, record: out };
    };
  },
});
