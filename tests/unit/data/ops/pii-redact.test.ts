// pii_redact: typed placeholders in every turn, counts per kind in the reason, or removal in 'remove' mode.
import { describe, expect, it } from 'vitest';
import { piiRedactOperator as op } from '../../../../src-main/data/ops/pii-redact';
import type { DataRecord, Decision } from '../../../../src-main/data/ops/operator';

const record = (user: string, assistant: string, system?: string): DataRecord => ({
  idx: 3, messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }], ...(system ? { system } : {}),
});
async function decide(r: DataRecord, params: Record<string, unknown> = {}): Promise<Decision> {
  return (await op.create(op.params.parse(params), {}))(r);
}

describe('pii_redact', () => {
  it('enables every kind and redacts in place by default', () => {
    expect(op.params.parse({})).toEqual({
      email: true, phone: true, ipAddress: true, creditCard: true, iban: true, secret: true, mode: 'redact',
    });
  });

  it('replaces each kind with its placeholder in every turn and the system prompt, counting per kind', async () => {
    const d = await decide(record(
      'I am jane@example.com, call me on +44 20 7946 0958 or at (555) 234-5678.',
      'Charge 4111 1111 1111 1111 and wire to DE89 3704 0044 0532 0130 00; the server is 8.8.8.8 / 2001:db8::1.',
      'Key: AKIAIOSFODNN7EXAMPLE, admin ops@example.org',
    ));
    expect(d).toEqual({
      action: 'change',
      reason: 'redacted 2 emails, 2 phone numbers, 2 IP addresses, 1 credit card number, 1 IBAN, 1 secret',
      record: {
        system: 'Key: [SECRET], admin [EMAIL]',
        messages: [
          { role: 'user', content: 'I am [EMAIL], call me on [PHONE] or at [PHONE].' },
          { role: 'assistant', content: 'Charge [CREDIT_CARD] and wire to [IBAN]; the server is [IP_ADDRESS] / [IP_ADDRESS].' },
        ],
      },
    });
  });

  it('keeps records without PII, lookalikes included', async () => {
    const r = record('Is 4111 1111 1111 1112 a card? Version 1.2.3.4 shipped on 2024-01-15.', 'No: its Luhn check fails. 你好 👋 مرحبا');
    expect(await decide(r)).toEqual({ action: 'keep' });
  });

  it('redacts e-mails inside Markdown and leaves the link syntax intact', async () => {
    const d = await decide(record('Contact?', 'See [the team](mailto:team@example.com) or **bob@example.com**.'));
    expect(d.action === 'change' && d.record.messages[1].content).toBe('See [the team](mailto:[EMAIL]) or **[EMAIL]**.');
    expect(d.action === 'change' && d.reason).toBe('redacted 2 emails');
  });

  it('redacts secrets inside code blocks too, keeping the assignment', async () => {
    const d = await decide(record('Why does this fail?', '```python\nclient = OpenAI(api_key="sk-proj-abcdefghijklmnopqrstu123")\npassword = "hunter2!"\n```'));
    expect(d.action === 'change' && d.record.messages[1].content)
      .toBe('```python\nclient = OpenAI(api_key="[SECRET]")\npassword = "[SECRET]"\n```');
  });

  it('redacts only the enabled kinds', async () => {
    const r = record('Mail x@example.com from 8.8.8.8', 'ok');
    const d = await decide(r, { ipAddress: false });
    expect(d).toMatchObject({ action: 'change', reason: 'redacted 1 email', record: { messages: [{ content: 'Mail [EMAIL] from 8.8.8.8' }, {}] } });
    expect(await decide(r, { email: false, phone: false, ipAddress: false, creditCard: false, iban: false, secret: false }))
      .toEqual({ action: 'keep' });
  });

  it('removes the record in remove mode, with the counts', async () => {
    expect(await decide(record('My card is 5555-5555-5555-4444', 'Noted.'), { mode: 'remove' }))
      .toEqual({ action: 'remove', reason: 'contains personal data or secrets: 1 credit card number' });
  });

  it('is idempotent: placeholders are not redacted again', async () => {
    const first = await decide(record('password=hunter22 and a@b.io', 'ok'));
    expect(first.action).toBe('change');
    if (first.action !== 'change') return;
    expect(await decide({ idx: 3, ...first.record })).toEqual({ action: 'keep' });
  });

  it('redacts PII scattered through a 1 MB answer', async () => {
    const chunk = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt. '.repeat(100);
    const text = Array.from({ length: 110 }, (_, i) => `${chunk} user${i}@example.com`).join('\n');
    const d = await decide(record('Summarize', text));
    expect(d.action === 'change' && d.reason).toBe('redacted 110 emails');
    expect(d.action === 'change' && d.record.messages[1].content.includes('@')).toBe(false);
  });
});
