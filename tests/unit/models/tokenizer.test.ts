// The tokenizer on a real tokenizer.json + chat template (Qwen3's, shipped by an npm package): encoding and SFT masks.
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { IGNORE_INDEX, TextTokenizer } from '../../../src-main/models/tokenizer';
import { QWEN3_TOKENIZER_DIR } from '../../fixtures/tokenizers';


describe('TextTokenizer (Qwen3 tokenizer.json)', () => {
  const tok = TextTokenizer.fromFolder(QWEN3_TOKENIZER_DIR);

  it('encodes and decodes text losslessly', () => {
    const ids = tok.encode('Hello world, fine-tuning!');
    expect(ids.length).toBeGreaterThan(3);
    expect(ids.every((id) => id >= 0 && id < tok.vocabSize)).toBe(true);
    expect(tok.decode(ids)).toBe('Hello world, fine-tuning!');
    expect(tok.vocabSize).toBeGreaterThan(150_000);
  });

  it('renders the chat template and labels only the assistant replies', () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Paris.' },
      { role: 'user', content: 'And of Italy?' },
      { role: 'assistant', content: 'Rome.' },
    ] as const;
    const rendered = tok.renderChat([...messages], false);
    expect(rendered).toContain('<|im_start|>user\nCapital of France?<|im_end|>');
    const { inputIds, labels } = tok.encodeChat([...messages]);
    expect(labels).toHaveLength(inputIds.length);
    expect(tok.decode(inputIds)).toBe(rendered);
    const trained = labels.filter((l) => l !== IGNORE_INDEX);
    const trainedText = tok.decode(trained);
    expect(trainedText).toContain('Paris.');
    expect(trainedText).toContain('Rome.');
    expect(trainedText).not.toContain('Capital of France');
    expect(trainedText).not.toContain('Be brief');
    expect(trainedText).toContain('<|im_end|>'); // the model must learn to stop
    labels.forEach((l, i) => { if (l !== IGNORE_INDEX) expect(l).toBe(inputIds[i]); });
    expect(tok.encodeChat([...messages], true).labels).toEqual(tok.encodeChat([...messages], true).inputIds);
  });

  it('appends EOS to plain text and labels every token', () => {
    const ex = tok.encodeText('plain text');
    expect(ex.inputIds.at(-1)).toBe(tok.eosTokenId);
    expect(ex.labels).toEqual(ex.inputIds);
  });

  it('says what is missing in a folder without tokenizer.json or chat template', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftstudio-tok-'));
    expect(() => TextTokenizer.fromFolder(dir)).toThrow(/has no tokenizer\.json/);
    writeFileSync(join(dir, 'tokenizer.json'), '{bad');
    expect(() => TextTokenizer.fromFolder(dir)).toThrow(/tokenizer\.json is not valid JSON/);
  });
});
