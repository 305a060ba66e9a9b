// strip_markup: real HTML tags, comments, script/style blocks and entities go; code and lookalikes stay.
import { describe, expect, it } from 'vitest';
import { stripMarkupOperator as op } from '../../../../src-main/data/ops/strip-markup';
import type { DataRecord, Decision } from '../../../../src-main/data/ops/operator';

const record = (assistant: string): DataRecord => ({
  idx: 0, messages: [{ role: 'user', content: 'Question?' }, { role: 'assistant', content: assistant }],
});
async function decide(text: string, params: Record<string, unknown> = {}): Promise<Decision> {
  return (await op.create(op.params.parse(params), {}))(record(text));
}
async function stripped(text: string, params: Record<string, unknown> = {}): Promise<string> {
  const d = await decide(text, params);
  return d.action === 'change' ? d.record.messages[1].content : text;
}

describe('strip_markup', () => {
  it('decodes entities by default', () => {
    expect(op.params.parse({})).toEqual({ decodeEntities: true });
  });

  it('removes tags, keeps their text, and breaks lines at block elements', async () => {
    expect(await stripped('<p>Hello <b>world</b></p><p>Second <a href="https://x.org/?a=1&b=2" title="a > b">link</a></p>'))
      .toBe('Hello world\n\nSecond link'); // </p><p> is a paragraph break
    expect(await stripped('one<br/>two<BR>three')).toBe('one\ntwo\nthree');
  });

  it('removes script and style blocks with their content, comments and doctypes', async () => {
    const d = await decide('<!DOCTYPE html><style>p { color: red }</style>Text<!-- hidden\nnote --> here<script>alert("<b>x</b>")</script>');
    expect(d).toMatchObject({ action: 'change', record: { messages: [{}, { content: 'Text here' }] } });
    expect(d.action === 'change' && d.reason).toBe('removed 1 HTML tag, removed 2 script/style blocks, removed 1 HTML comment');
  });

  it('decodes named and numeric entities after stripping, so escaped markup stays as text', async () => {
    expect(await stripped('Tom &amp; Jerry &lt;b&gt; &#39;x&#39; &#x1F600; caf&eacute; &nbsp;.')).toBe("Tom & Jerry <b> 'x' 😀 café \u00A0.");
    const d = await decide('a &amp; b');
    expect(d.action === 'change' && d.reason).toBe('decoded 1 HTML entity');
    // Strict decoding: without ";" nothing is an entity, so URLs keep their query strings.
    expect(await decide('see ?a=1&copy=2&amp')).toEqual({ action: 'keep' });
    expect(await stripped('a &amp; b', { decodeEntities: false })).toBe('a &amp; b');
  });

  it('leaves comparisons and generic types in prose alone (only real element names are tags)', async () => {
    const text = 'If a < b and c > d, use List<String> or Map<K, V> and Vec<T>; x<y>z too.';
    expect(await decide(text)).toEqual({ action: 'keep' });
  });

  it('leaves fenced code and inline code exactly as written, tags and entities included', async () => {
    const code = '```java\nif (a < b) { List<String> s = new ArrayList<>(); }\nString html = "<div>&amp;</div>";\n```';
    expect(await decide(`Example:\n${code}`)).toEqual({ action: 'keep' });
    expect(await stripped(`<p>Example:</p>\n${code}\nUse \`<br>\` for &quot;breaks&quot;.`))
      .toBe(`Example:\n\n${code}\nUse \`<br>\` for "breaks".`);
  });

  it('keeps Arabic, Hebrew, CJK and emoji text around the tags', async () => {
    expect(await stripped('<span dir="rtl">مرحبا</span> <i>שלום</i> <b>你好</b> 👩‍💻')).toBe('مرحبا שלום 你好 👩‍💻');
  });

  it('strips a 1 MB page', async () => {
    const page = '<div class="row"><span>cell &amp; more</span></div>'.repeat(20_000);
    const out = await stripped(page);
    expect(out).not.toMatch(/<|&amp;/);
    expect(out.split('cell & more').length - 1).toBe(20_000);
  });
});
