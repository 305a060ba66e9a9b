// Splits text into prose and fenced code blocks (CommonMark ``` / ~~~ fences), so operators that rewrite prose
// (whitespace, markup, symbol ratios) can leave code exactly as written: in code, indentation and `<` are meaning.

export interface Segment {
  text: string;
  /** True for a fenced block, from its opening fence line up to its closing fence line (without that line's newline). */
  code: boolean;
}

// CommonMark: a fence is 3+ backticks or tildes indented by at most 3 spaces; a backtick fence's info string may
// not contain a backtick (so "```inline``` text" on one line is not a fence).
const OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

/** The segments of TEXT in order; joined they give TEXT back. An unclosed fence runs to the end (as in CommonMark). */
export function splitFences(text: string): Segment[] {
  if (!text.includes('```') && !text.includes('~~~')) return [{ text, code: false }];
  const segments: Segment[] = [];
  let current = '';
  let fence: string | null = null; // the opening fence while inside a block
  const flush = (code: boolean): void => {
    if (current !== '') segments.push({ text: current, code });
    current = '';
  };
  for (const line of text.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
    const body = line.replace(/\r?\n$/, '');
    const newline = line.slice(body.length);
    if (fence === null) {
      const open = OPEN.exec(body);
      if (open && !(open[1][0] === '`' && open[2].includes('`'))) {
        flush(false);
        fence = open[1];
      }
      current += line;
      continue;
    }
    const close = CLOSE.exec(body);
    if (close && close[1][0] === fence[0] && close[1].length >= fence.length) {
      current += body;
      flush(true);
      current = newline;
      fence = null;
    } else {
      current += line;
    }
  }
  flush(fence !== null);
  return segments;
}

/** Applies FN to the prose segments only and joins the result. */
export function mapProse(text: string, fn: (prose: string) => string): string {
  return splitFences(text).map((s) => (s.code ? s.text : fn(s.text))).join('');
}

/** TEXT with its fenced code blocks left out (each replaced by a newline, so words on either side stay apart). */
export function proseOnly(text: string): string {
  return splitFences(text).map((s) => (s.code ? '\n' : s.text)).join('');
}
