// pii_redact: replaces e-mails, phone numbers, IP addresses, card numbers, IBANs and secrets with typed placeholders
// ("[EMAIL]"), or removes the records that hold any.
import { z } from 'zod';
import { defineOperator, KEEP, type Decision } from './operator';
import { mapTexts } from './record-text';
import { findPii, type PiiKind } from './pii-detectors';

const params = z.object({
  email: z.boolean().default(true),
  phone: z.boolean().default(true),
  ipAddress: z.boolean().default(true),
  creditCard: z.boolean().default(true),
  iban: z.boolean().default(true),
  secret: z.boolean().default(true),
  /** redact: replace in place and keep the record; remove: drop every record that holds any. */
  mode: z.enum(['redact', 'remove']).default('redact'),
}).strict();
type Params = z.infer<typeof params>;

const PARAM_OF: Record<PiiKind, keyof Params> = {
  email: 'email', phone: 'phone', ip_address: 'ipAddress', credit_card: 'creditCard', iban: 'iban', secret: 'secret',
};

export const PLACEHOLDER: Record<PiiKind, string> = {
  email: '[EMAIL]', phone: '[PHONE]', ip_address: '[IP_ADDRESS]', credit_card: '[CREDIT_CARD]', iban: '[IBAN]', secret: '[SECRET]',
};

const NOUN: Record<PiiKind, [one: string, many: string]> = {
  email: ['email', 'emails'],
  phone: ['phone number', 'phone numbers'],
  ip_address: ['IP address', 'IP addresses'],
  credit_card: ['credit card number', 'credit card numbers'],
  iban: ['IBAN', 'IBANs'],
  secret: ['secret', 'secrets'],
};

/** "2 emails, 1 phone number", in a fixed order. */
function describeCounts(counts: Map<PiiKind, number>): string {
  return (Object.keys(NOUN) as PiiKind[])
    .filter((k) => counts.has(k))
    .map((k) => `${counts.get(k)} ${NOUN[k][counts.get(k) === 1 ? 0 : 1]}`)
    .join(', ');
}

/** TEXT with its PII replaced by placeholders; COUNTS gains one per replacement. */
export function redactPii(text: string, kinds: PiiKind[], counts: Map<PiiKind, number>): string {
  const spans = findPii(text, kinds);
  if (spans.length === 0) return text;
  let out = '';
  let last = 0;
  for (const s of spans) {
    out += text.slice(last, s.start) + PLACEHOLDER[s.kind];
    last = s.end;
    counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
  }
  return out + text.slice(last);
}

export const piiRedactOperator = defineOperator({
  name: 'pii_redact',
  title: 'Redact personal data and secrets',
  description:
    'Finds e-mail addresses, phone numbers, IP addresses, card numbers (Luhn-checked), IBANs (mod-97-checked) and ' +
    'secrets such as API keys and passwords, and replaces them with placeholders like [EMAIL], or removes the record.',
  group: 'pii',
  params,
  create(p) {
    const kinds = (Object.keys(PARAM_OF) as PiiKind[]).filter((k) => p[PARAM_OF[k]] === true);
    return (record): Decision => {
      if (kinds.length === 0) return KEEP;
      const counts = new Map<PiiKind, number>();
      const out = mapTexts(record, (text) => redactPii(text, kinds, counts));
      if (!out) return KEEP;
      const what = describeCounts(counts);
      return p.mode === 'remove'
        ? { action: 'remove', reason: `contains personal data or secrets: ${what}` }
        : { action: 'change', reason: `redacted ${what}`, record: out };
    };
  },
});
