// normalize_text: NFKC, whitespace and line endings in prose; fenced code kept byte for byte.
import { describe, expect, it } from 'vitest';
import { normalizeTextOperator as op } from '../../../../src-main/data/ops/normalize-text';
import type { DataRecord, Decision } from '../../../../src-main/data/ops/operator';

const record = (user: string, assistant = 'ok', system?: string): DataRecord => ({
  idx: 0, messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }], ...(system !== undefined ? { system } : {}),
});
async function decide(r: DataRecord, params: Record<string, unknown> = {}): Promise<Decision> {
  return (await op.create(op.params.parse(params), {}))(r);
}
async function normalized(text: string, params: Record<string, unknown> = {}): Promise<string> {
  const d = await decide(record(text), params);
  return d.action === 'change' ? d.record.messages[0].content : text;
}

describe('normalize_text', () => {
  it('defaults to every step on', () => {
    expect(op.params.parse({})).toEqual({ nfkc: true, collapseSpaces: true, trim: true, collapseBlankLines: true });
    expect(() => op.params.parse({ nfck: true })).toThrow(); // a typo in a recipe is an error, not a silent default
  });

  it('keeps a clean record and says which steps changed a messy one', async () => {
    expect(await decide(record('Hello there.', 'Fine.'))).toEqual({ action: 'keep' });
    const d = await decide(record('  Hello   there.\r\n', 'Fine.'));
    expect(d.action).toBe('change');
    if (d.action !== 'change') return;
    expect(d.record.messages[0].content).toBe('Hello there.');
    expect(d.reason).toContain('repeated spaces');
    expect(d.reason).toContain('line endings');
    expect(d.reason).not.toContain('NFKC');
  });

  it('folds compatibility characters with NFKC: full-width Latin, ligatures, no-break and ideographic spaces', async () => {
    expect(await normalized('ＡＢＣ１２３ ﬁne')).toBe('ABC123 fine');
    expect(await normalized('a\u00A0b')).toBe('a b');
    expect(await normalized('中文\u3000\u3000中文')).toBe('中文 中文'); // two ideographic spaces → one space
    expect(await normalized('ＡＢＣ', { nfkc: false })).toBe('ＡＢＣ');
  });

  it('keeps full-width CJK punctuation, which NFKC would turn into ASCII', async () => {
    expect(await normalized('你好，世界！（ｔｅｓｔ）')).toBe('你好，世界！（test）');
    expect(await normalized('ｶﾀｶﾅ')).toBe('カタカナ'); // half-width katakana still folds
  });

  it('collapses runs of spaces and tabs between words but keeps Markdown indentation', async () => {
    expect(await normalized('a \t  b\tc')).toBe('a b c');
    expect(await normalized('- item\n    - nested   item')).toBe('- item\n    - nested item');
    expect(await normalized('line  \nnext\t')).toBe('line\nnext');
  });

  it('turns CRLF and CR into LF and three or more blank lines into two', async () => {
    expect(await normalized('a\r\nb\rc')).toBe('a\nb\nc');
    expect(await normalized('a\n\n\n\n\n\nb')).toBe('a\n\n\nb');
    expect(await normalized('a\n\n\nb')).toBe('a\n\n\nb'); // two blank lines stay
  });

  it('never touches whitespace inside fenced code blocks', async () => {
    const code = '```python\ndef f(x):\n    if x:\n\t\treturn  1\n\n\n\n\n    return   0  \n```';
    const text = `Here   it is:\n\n${code}\n\nDone.  `;
    expect(await normalized(text)).toBe(`Here it is:\n\n${code}\n\nDone.`);
    // ~~~ fences and an unclosed fence (runs to the end) are code too.
    expect(await normalized('x\n~~~\na    b\n~~~')).toBe('x\n~~~\na    b\n~~~');
    expect(await normalized('x  y\n```\na    b   ')).toBe('x y\n```\na    b   ');
  });

  it('does not apply NFKC inside code (string literals mean what they say)', async () => {
    expect(await normalized('ｘ\n```\ns = "ＡＢＣ"\n```')).toBe('x\n```\ns = "ＡＢＣ"\n```');
  });

  it('normalizes line endings inside code, which changes no indentation', async () => {
    expect(await normalized('```\r\n  a\r\n```')).toBe('```\n  a\n```');
  });

  it('trims each turn and the system prompt, and leaves RTL, emoji and CJK text intact', async () => {
    const d = await decide(record('  مرحبا   بالعالم  ', ' 👨‍👩‍👧‍👦 שלום \n', '\n 你好，世界 '));
    expect(d.action).toBe('change');
    if (d.action !== 'change') return;
    expect(d.record.messages.map((m) => m.content)).toEqual(['مرحبا بالعالم', '👨‍👩‍👧‍👦 שלום']);
    expect(d.record.system).toBe('你好，世界');
  });

  it('handles a 1 MB turn in one pass', async () => {
    const big = 'word   word\r\n'.repeat(80_000); // ~1 MB
    const out = await normalized(big);
    expect(out.length).toBe('word word\n'.repeat(80_000).length - 1);
    expect(out.includes('\r') || out.includes('  ')).toBe(false);
  });
});
