// strip_markup: removes HTML tags, comments and script/style blocks outside code, and decodes HTML entities.
import { z } from 'zod';
import { decodeHTMLStrict } from 'entities';
import { defineOperator, KEEP, type Decision } from './operator';
import { mapTexts } from './record-text';
import { splitFences } from './code-fences';

const params = z.object({
  decodeEntities: z.boolean().default(true),
}).strict();

// Only names of real HTML elements count as tags, so "List<String>", "Vec<T>" or "a<b && c>d" in prose survive;
// a generic named like an element ("Foo<p>") is the rare loss.
const BLOCK = [
  'address', 'article', 'aside', 'blockquote', 'body', 'br', 'caption', 'center', 'dd', 'details', 'div', 'dl', 'dt',
  'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'head', 'header', 'hr', 'html', 'li',
  'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'title', 'tr', 'ul',
];
const INLINE = [
  'a', 'abbr', 'b', 'big', 'button', 'cite', 'code', 'col', 'colgroup', 'del', 'em', 'font', 'i', 'iframe', 'img',
  'input', 'ins', 'kbd', 'label', 'link', 'mark', 'meta', 'option', 'q', 's', 'samp', 'select', 'small', 'source',
  'span', 'strike', 'strong', 'sub', 'sup', 'svg', 'textarea', 'time', 'tt', 'u', 'var', 'wbr',
];
const BLOCK_SET = new Set(BLOCK);
const NAMES = [...BLOCK, ...INLINE].join('|');
// A tag: its element name, then attributes (quoted values may hold ">"), then ">"; the name must end there.
const TAG = new RegExp(`</?(${NAMES})(?![\\w-])(?:\\s+(?:[^<>"']|"[^"]*"|'[^']*')*)?/?>`, 'gi');
const SCRIPT_STYLE = /<(script|style|noscript)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const COMMENT = /<!--[\s\S]*?-->/g;
const DOCTYPE = /<!doctype\s[^>]*>/gi;
const ENTITY = /&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/;
// Inline code spans (`x`, ``x``) on one line: what they hold is code too.
const INLINE_CODE = /(`+)[^`\n]+?\1(?!`)/g;

interface Counts { tags: number; blocks: number; comments: number; entities: number }

function stripProse(prose: string, decode: boolean, counts: Counts): string {
  let t = prose.replace(SCRIPT_STYLE, () => (counts.blocks++, ''));
  t = t.replace(COMMENT, () => (counts.comments++, ''));
  t = t.replace(DOCTYPE, () => (counts.tags++, ''));
  // Block elements leave a line break, so "<p>one</p><p>two</p>" does not become "onetwo".
  t = t.replace(TAG, (_m, name: string) => (counts.tags++, BLOCK_SET.has(name.toLowerCase()) ? '\n' : ''));
  // Decoding after stripping keeps "&lt;b&gt;" as the literal text "<b>" its author meant to show. Strict decoding
  // wants the ";", so a URL's "?a=1&copy=2" stays as it is.
  if (decode && ENTITY.test(t)) {
    t = t.replace(new RegExp(ENTITY.source, 'g'), (e) => {
      const out = decodeHTMLStrict(e);
      if (out !== e) counts.entities++;
      return out;
    });
  }
  return t;
}

/** Strips TEXT outside fenced blocks and inline code spans. */
export function stripMarkup(text: string, decode: boolean, counts: Counts): string {
  if (!text.includes('<') && !text.includes('&')) return text;
  let removedAny = false;
  const out = splitFences(text).map((s) => {
    if (s.code) return s.text;
    const before = counts.tags + counts.blocks + counts.comments;
    let last = 0;
    let result = '';
    for (const m of s.text.matchAll(INLINE_CODE)) {
      result += stripProse(s.text.slice(last, m.index), decode, counts) + m[0];
      last = m.index + m[0].length;
    }
    result += stripProse(s.text.slice(last), decode, counts);
    if (counts.tags + counts.blocks + counts.comments > before) {
      removedAny = true;
      result = result.replace(/\n{3,}/g, '\n\n'); // the breaks block tags left behind
    }
    return result;
  }).join('');
  return removedAny ? out.trim() : out;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export const stripMarkupOperator = defineOperator({
  name: 'strip_markup',
  title: 'Strip HTML markup',
  description:
    'Removes HTML tags, comments and script/style blocks left over from scraping, and decodes entities such as ' +
    '&amp; and &#39;. Code blocks and inline code are left alone, so "if (a < b)" and "List<String>" survive.',
  group: 'normalize',
  params,
  create(p) {
    return (record): Decision => {
      const counts: Counts = { tags: 0, blocks: 0, comments: 0, entities: 0 };
      const out = mapTexts(record, (text) => stripMarkup(text, p.decodeEntities, counts));
      if (!out) return KEEP;
      const parts = [
        counts.tags && `removed ${plural(counts.tags, 'HTML tag', 'HTML tags')}`,
        counts.blocks && `removed ${plural(counts.blocks, 'script/style block', 'script/style blocks')}`,
        counts.comments && `removed ${plural(counts.comments, 'HTML comment', 'HTML comments')}`,
        counts.entities && `decoded ${plural(counts.entities, 'HTML entity', 'HTML entities')}`,
      ].filter(Boolean);
      return { action: 'change', reason: parts.join(', '), record: out };
    };
  },
});
