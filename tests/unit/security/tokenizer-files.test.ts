// A tokenizer.json the library cannot really use is refused when the folder is loaded, with the file named — not found
// later as missing token ids in a run.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TextTokenizer } from '../../../src-main/models/tokenizer';
import { QWEN3_TOKENIZER_DIR } from '../../fixtures/tokenizers';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-tokenizer-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const original = JSON.parse(readFileSync(join(QWEN3_TOKENIZER_DIR, 'tokenizer.json'), 'utf8'));

function folder(name: string, tokenizer: unknown): string {
  const d = join(dir, name);
  mkdirSync(d);
  copyFileSync(join(QWEN3_TOKENIZER_DIR, 'tokenizer_config.json'), join(d, 'tokenizer_config.json'));
  writeFileSync(join(d, 'tokenizer.json'), JSON.stringify(tokenizer));
  return d;
}

describe('tokenizer files', () => {
  it('names the file when a part of it is of an unknown type', () => {
    const d = folder('unknown-pre', { ...original, pre_tokenizer: { type: 'Nope' } });
    expect(() => TextTokenizer.fromFolder(d)).toThrow(`${join(d, 'tokenizer.json')} could not be loaded as a tokenizer: Unknown PreTokenizer type: Nope`);
  });

  it('names the file when its model encodes text to missing ids', () => {
    const d = folder('wordpiece', { ...original, model: { type: 'WordPiece', vocab: { a: 0 } } });
    expect(() => TextTokenizer.fromFolder(d)).toThrow(`${join(d, 'tokenizer.json')} does not work as a tokenizer: its model (type "WordPiece") encodes plain text to missing ids`);
  });

  it('loads a real one', () => {
    expect(TextTokenizer.fromFolder(folder('good', original)).encode('Hello').every(Number.isInteger)).toBe(true);
  });
});
