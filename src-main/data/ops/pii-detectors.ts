// The PII detectors of pii_redact: e-mail, phone, IP address, card number (Luhn), IBAN (mod 97) and secrets, each
// tuned to leave lookalikes (dates, versions, order numbers, code) alone.

export type PiiKind = 'email' | 'phone' | 'ip_address' | 'credit_card' | 'iban' | 'secret';

/** Every kind, in the order overlaps are settled: a secret wins over the e-mail inside it, a card over a phone. */
export const PII_KINDS: readonly PiiKind[] = ['secret', 'email', 'iban', 'credit_card', 'ip_address', 'phone'];

export interface PiiSpan { kind: PiiKind; start: number; end: number; text: string }

type Span = [start: number, end: number];

/** Spans of RE's matches (or of its group GROUP) that ACCEPT takes; ACCEPT may shorten a match by returning its end. */
function scan(text: string, re: RegExp, accept: (match: string, start: number) => number | boolean = () => true, group = 0): Span[] {
  const spans: Span[] = [];
  for (const m of text.matchAll(re)) {
    const at = group === 0 ? [m.index, m.index + m[0].length] : m.indices?.[group];
    if (!at) continue;
    const ok = accept(text.slice(at[0], at[1]), at[0]);
    if (ok === true) spans.push([at[0], at[1]]);
    else if (typeof ok === 'number') spans.push([at[0], at[0] + ok]);
  }
  return spans;
}

// ---- checksums ----

/** The Luhn check every payment card number passes (ISO/IEC 7812). */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1 && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}

/** ISO 13616: country code, two check digits, then up to 30 letters/digits; mod 97 of the rearranged number is 1. */
export function ibanValid(iban: string): boolean {
  const s = iban.replace(/ /g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  let rest = 0;
  for (const ch of s.slice(4) + s.slice(0, 4)) {
    const v = ch <= '9' ? ch.charCodeAt(0) - 48 : ch.charCodeAt(0) - 55; // A = 10 … Z = 35
    rest = (rest * (v > 9 ? 100 : 10) + v) % 97;
  }
  return rest === 1;
}

/** The longest prefix of CANDIDATE that VALID takes, cut at SEPARATORS (a match may run into the next number). */
function longestValid(candidate: string, separators: string, valid: (s: string) => boolean): number | false {
  for (let s = candidate; s !== ''; ) {
    if (valid(s)) return s.length;
    let cut = s.length - 1;
    while (cut > 0 && !separators.includes(s[cut])) cut--;
    s = s.slice(0, cut);
  }
  return false;
}

// ---- e-mail ----

const EMAIL = /(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})(?![\w-])/g;
// "logo@2x.png" is a retina image name, not an address.
const FILE_TLD = /^(?:png|jpe?g|gif|svg|webp|ico|bmp|tiff?)$/i;

function emails(text: string): Span[] {
  return scan(text, EMAIL, (m) => !FILE_TLD.test(m.slice(m.lastIndexOf('.') + 1)));
}

// ---- phone numbers ----

// International: "+" and a country code, then digits in groups ("+44 (0)20 7946 0958", "+1 (555) 123-4567") or in
// one run (E.164 "+4915112345678"); 8 to 15 digits, the E.164 range.
const PHONE_INTL = /(?<![\w+])\+[1-9]\d{0,2}(?:\d{5,13}|(?:[ .-]?\(0\))?(?:[ .-]?\(\d{1,5}\)|[ .-]\d{1,9}|(?<=\))\d{1,9}){1,7})(?!\w)/g;
// North American: (NXX) XXX-XXXX or NXX-XXX-XXXX (area code 2-9), optionally after "1-"; separators are required.
const PHONE_NANP = /(?<![\w+.\-/])(?:1[ .-])?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-])\d{3}[ .-]\d{4}(?!\w|[.-]\d)/g;
// National with a trunk 0 ("020 7946 0958", "030/1234567", "01 23 45 67 89", "(030) 1234567"): 9 to 12 digits and
// one kind of separator, so a date ("01/02/2024") or a date and time ("05.06.2024 10") does not pass.
const PHONE_TRUNK = /(?<![\w+.\-/])(?:\(0\d{1,4}\) ?|0\d{1,4}[ .\-/])\d{2,8}(?:[ .\-/]\d{2,8}){0,4}(?!\w|[.\-/]\d)/g;

const digitCount = (s: string): number => s.replace(/\D/g, '').length;

function phones(text: string): Span[] {
  const intl = scan(text, PHONE_INTL, (m) => {
    const n = digitCount(m.replace('(0)', ''));
    return n >= 8 && n <= 15;
  });
  const nanp = scan(text, PHONE_NANP);
  const trunk = scan(text, PHONE_TRUNK, (m) => {
    const n = digitCount(m);
    const seps = new Set(m.replace(/^\(0\d+\) ?/, '').match(/[ .\-/]/g) ?? []);
    return n >= 9 && n <= 12 && seps.size <= 1;
  });
  return [...intl, ...nanp, ...trunk];
}

// ---- IP addresses ----

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?!\\w|\\.\\d)`, 'g');
// "version 1.2.3.4" names a release; a bare "1.2.3.4" cannot be told from an address and is redacted.
const VERSION_BEFORE = /\b(?:version|ver\.?|release|build|rev\.?)\s*$/i;

/** Addresses that identify no one: loopback, private, link-local, unspecified, multicast, netmasks ("255.255.255.0"). */
function publicIPv4(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return !(a === 0 || a === 10 || a === 127 || a >= 224 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168));
}

/** Full or "::"-compressed IPv6, optionally ending in an embedded IPv4. */
export function isIPv6(s: string): boolean {
  let groups = s;
  let extra = 0;
  const v4 = /:((?:\d{1,3}\.){3}\d{1,3})$/.exec(s);
  if (v4) {
    if (!new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`).test(v4[1])) return false;
    groups = s.slice(0, v4.index + 1) + '0';
    extra = 1; // the IPv4 part fills two groups; "0" stands for one of them
  } else if (s.includes('.')) return false;
  const halves = groups.split('::');
  if (halves.length > 2 || groups.includes(':::')) return false;
  const parts = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  if (!parts.every((p) => /^[0-9A-Fa-f]{1,4}$/.test(p))) return false;
  return halves.length === 2 ? parts.length + extra <= 7 : parts.length + extra === 8;
}

const IPV6 = /(?<![\w:.])(?=[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:)[0-9A-Fa-f:.]{2,45}(?![\w:])/g;

function ipAddresses(text: string): Span[] {
  const v4 = scan(text, IPV4, (m, start) => publicIPv4(m) && !VERSION_BEFORE.test(text.slice(Math.max(0, start - 12), start)));
  const v6 = scan(text, IPV6, (raw) => {
    const m = raw.replace(/\.+$/, ''); // a sentence's full stop
    const lower = m.toLowerCase();
    // A digit is required so that C++/Rust paths made of hex-looking words ("Add::Face") are not taken for addresses;
    // loopback, unspecified, link-local (fe80::/10) and unique-local (fc00::/7) addresses identify no one.
    if (!/\d/.test(m) || !isIPv6(m) || lower === '::' || lower === '::1' || /^fe[89ab]|^f[cd]/.test(lower)) return false;
    return m.length;
  });
  return [...v4, ...v6];
}

// ---- payment cards and IBANs ----

// 13 to 19 digits, whole or in groups of 3 to 6 split by one kind of separator (4-4-4-4, Amex 4-6-5); the first
// digit 2-6 (Mastercard 2/5, Amex 3, Visa 4, Discover 6) and the Luhn check make a random number pass rarely.
const CARD = /(?<![\w.+-])[2-6]\d{3}(?:[ -]?\d){9,15}(?!\w)/g;

function cardValid(s: string): boolean {
  const digits = s.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return false;
  const seps = new Set(s.match(/[ -]/g) ?? []);
  return seps.size === 0 || (seps.size === 1 && s.split(/[ -]/).every((g) => g.length >= 3 && g.length <= 6));
}

const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])/g;

function ibanShapeValid(s: string): boolean {
  const groups = s.split(' ');
  // Printed IBANs come in groups of four; the last may be shorter.
  return ibanValid(s) && (groups.length === 1 || groups.slice(0, -1).every((g) => g.length === 4));
}

// ---- secrets ----

// Provider tokens. Each starts only where a run of token characters starts (a lookbehind, not \b, which also
// fires after "-"), so a long run is scanned once, not once per "-".
const SECRET_TOKENS: RegExp[] = [
  /(?<![\w-])(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}(?![\w-])/g, // AWS access key ids
  /(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,255})(?![\w-])/g, // GitHub tokens
  /(?<![\w-])sk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{20,}/g, // OpenAI (and Anthropic) keys
  /(?<![\w-])xox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack tokens
  /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g, // Google API keys
  /(?<![\w-])[rs]k_live_[0-9A-Za-z]{16,}/g, // Stripe live keys
  /(?<![\w-])eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, // JSON Web Tokens
];
const BEARER = /(?<![\w-])Bearer[ \t]+([A-Za-z0-9._~+/-]{20,}=*)/dg;

const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/g;
const PEM_END = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----/g;
const PEM_BODY = /(?:\r?\n[A-Za-z0-9+/=]{16,})*/y;

/** Private key blocks, BEGIN to END; a block cut off before its END runs over the base64 lines that follow. */
function privateKeys(text: string): Span[] {
  const spans: Span[] = [];
  let end: RegExpExecArray | null = null;
  let noMoreEnds = false;
  for (const m of text.matchAll(PEM_BEGIN)) {
    if (spans.length > 0 && m.index < spans[spans.length - 1][1]) continue; // inside the block before
    const from = m.index + m[0].length;
    if (!noMoreEnds && (end === null || end.index < from)) { // the END search only moves forward: linear in the text
      PEM_END.lastIndex = from;
      end = PEM_END.exec(text);
      noMoreEnds = end === null;
    }
    if (end !== null && end.index >= from) {
      spans.push([m.index, end.index + end[0].length]);
    } else {
      PEM_BODY.lastIndex = from;
      PEM_BODY.exec(text);
      spans.push([m.index, PEM_BODY.lastIndex]);
    }
  }
  return spans;
}

// "password=…", "API_KEY: …", '"client_secret": "…"': the value is redacted, the name kept. "name: value" only
// counts at the start of a line (YAML, .env, headers) or with a quoted name (JSON), so prose like "the secret: be
// kind" is left alone; "=" counts anywhere (code, URLs, shell). Names are matched as whole identifiers of at most
// 64 characters and checked afterwards, which keeps the scan linear on long runs of letters.
const NAME = '(?<key>[A-Za-z0-9_-]{3,64})';
const VALUE = `(?:"(?<dq>[^"\\n]{4,200})"|'(?<sq>[^'\\n]{4,200})'|(?<bare>[^\\s"'\`,;(){}\\[\\]<>]{4,200}))`;
const ASSIGNMENTS: RegExp[] = [
  new RegExp(`(?<![\\w-])(["']?)${NAME}\\1[ \\t]*(?::=|=>|=(?!=))[ \\t]*${VALUE}`, 'dg'),
  new RegExp(`^[ \\t]*(?:- )?${NAME}[ \\t]*:[ \\t]*${VALUE}`, 'dgm'),
  new RegExp(`(["'])${NAME}\\1[ \\t]*:[ \\t]*${VALUE}`, 'dg'),
];
/** Names of settings that hold secrets, as snake_case words: db_password, AWS_SECRET_ACCESS_KEY, x-api-key, apiToken. */
const SECRET_NAME = /(?:^|[_-])(?:password|passwd|passphrase|secret|apikey|api[_-]key|access[_-]key|private[_-]key|access[_-]token|auth[_-]token|api[_-]token)s?(?:$|[_-])/;

// Values that are not secrets: placeholders, references to variables or settings, types, and earlier redactions.
const PLACEHOLDER = /^(?:\*+|x+|\.+|…|<.*>|\$.*|%.*|\{.*\}|\[[A-Z_]+\]|your[_\- ].*|.*[_\- ]here|redacted|placeholder|changeme|example)$/i;
const NOT_A_VALUE = /^(?:null|none|nil|true|false|undefined|str|string|int|bool|boolean|bytes|optional|required|secretstr)$/i;
const DOTTED = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/; // args.password, settings.API_KEY
const STEMS = new Set(['password', 'passwd', 'pass', 'pwd', 'secret', 'key', 'token', 'environ', 'getenv']);

const snake = (name: string): string => name.replace(/(?<=[a-z0-9])(?=[A-Z])/g, '_').toLowerCase();

/** An unquoted value that names something (a variable, a setting) rather than being the secret itself. */
function isReference(value: string): boolean {
  if (DOTTED.test(value)) return true;
  // user_password, DB_PASSWORD, userPassword: a name made of words, one of them a secret's name.
  return /^[A-Za-z_]\w*$/.test(value) && snake(value).split('_').some((w) => STEMS.has(w));
}

function secretValues(text: string, re: RegExp): Span[] {
  const spans: Span[] = [];
  for (const m of text.matchAll(re)) {
    if (!SECRET_NAME.test(snake(m.groups!.key))) continue;
    const group = (['dq', 'sq', 'bare'] as const).find((g) => m.groups![g] !== undefined)!;
    const [start, end] = m.indices!.groups![group]!;
    const value = m.groups![group];
    if (PLACEHOLDER.test(value) || NOT_A_VALUE.test(value)) continue;
    if (group === 'bare' && (isReference(value) || /^[([]/.test(text.slice(end, end + 1)))) continue; // code, not a value
    spans.push([start, end]);
  }
  return spans;
}

function secrets(text: string): Span[] {
  return [
    ...privateKeys(text),
    ...SECRET_TOKENS.flatMap((re) => scan(text, re)),
    ...scan(text, BEARER, () => true, 1),
    ...ASSIGNMENTS.flatMap((re) => secretValues(text, re)),
  ];
}

const DETECTORS: Record<PiiKind, (text: string) => Span[]> = {
  secret: secrets,
  email: emails,
  iban: (text) => scan(text, IBAN, (m) => longestValid(m, ' ', ibanShapeValid)),
  credit_card: (text) => scan(text, CARD, (m) => longestValid(m, ' -', cardValid)),
  ip_address: ipAddresses,
  phone: phones,
};

/** The PII of the enabled KINDS in TEXT, sorted by position and never overlapping (PII_KINDS order wins). */
export function findPii(text: string, kinds: Iterable<PiiKind> = PII_KINDS): PiiSpan[] {
  const enabled = new Set(kinds);
  const found: PiiSpan[] = [];
  let taken: Uint8Array | null = null; // characters already inside a span, allocated on the first find
  for (const kind of PII_KINDS) {
    if (!enabled.has(kind)) continue;
    for (const [start, end] of DETECTORS[kind](text).sort((a, b) => a[0] - b[0] || b[1] - a[1])) {
      taken ??= new Uint8Array(text.length);
      if (taken.subarray(start, end).includes(1)) continue;
      taken.fill(1, start, end);
      found.push({ kind, start, end, text: text.slice(start, end) });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}
