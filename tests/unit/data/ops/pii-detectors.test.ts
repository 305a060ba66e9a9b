// The PII detectors: what each finds, the checksums that gate cards and IBANs, and the lookalikes each leaves alone.
import { describe, expect, it } from 'vitest';
import { findPii, ibanValid, isIPv6, luhnValid, type PiiKind } from '../../../../src-main/data/ops/pii-detectors';

/** The texts of the spans of KIND (or of every kind) found in TEXT. */
const found = (text: string, kind?: PiiKind): string[] => findPii(text).filter((s) => !kind || s.kind === kind).map((s) => s.text);

describe('checksums', () => {
  it('Luhn accepts real test card numbers and rejects a changed digit', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('378282246310005')).toBe(true);
    expect(luhnValid('5555555555554444')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('4111 1111')).toBe(false); // digits only
  });

  it('IBAN mod 97 accepts the ISO examples and rejects a changed digit or a bad shape', () => {
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(ibanValid('FR1420041010050500013M02606')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    expect(ibanValid('GB82WEST123')).toBe(false); // too short
    expect(ibanValid('1289370400440532013000')).toBe(false); // no country code
  });
});

describe('email', () => {
  it('finds addresses in prose and inside Markdown links and autolinks', () => {
    expect(found('Write to **john.doe+news@example.co.uk**.')).toEqual(['john.doe+news@example.co.uk']);
    expect(found('[Mail me](mailto:jane@mail.example.org) or <ops@corp.io>')).toEqual(['jane@mail.example.org', 'ops@corp.io']);
  });

  it('leaves retina image names, npm scopes and handles alone', () => {
    expect(found('logo@2x.png, @vue/compiler-dom, @alice on social media, a@b')).toEqual([]);
  });
});

describe('phone', () => {
  it('finds international and common national formats', () => {
    const text = 'Call +44 20 7946 0958, +1 (555) 123-4567, +49 30 12345678, +4915112345678, +44 (0)20 7946 0958, ' +
      '(555) 234-5678, 555.234.5678, 020 7946 0958, 030/1234567, 01 23 45 67 89 or 07700 900123.';
    expect(found(text, 'phone')).toEqual([
      '+44 20 7946 0958', '+1 (555) 123-4567', '+49 30 12345678', '+4915112345678', '+44 (0)20 7946 0958',
      '(555) 234-5678', '555.234.5678', '020 7946 0958', '030/1234567', '01 23 45 67 89', '07700 900123',
    ]);
  });

  it('leaves dates, times, plain long numbers, versions, prices and sums alone', () => {
    const text = 'On 2024-01-15, 15.01.2024, 01/02/2024 and 05.06.2024 10:30, order 1234567890 (ref 0123456789) ' +
      'shipped v1.2.3 for $1,234.56; 3+4 = 7; ISBN 978-3-16-148410-0; +1.5% growth.';
    expect(found(text)).toEqual([]);
  });
});

describe('IP addresses', () => {
  it('finds public IPv4 addresses with valid octets', () => {
    expect(found('Server 8.8.8.8:53 and 203.0.113.42.', 'ip_address')).toEqual(['8.8.8.8', '203.0.113.42']);
    expect(found('Not 256.1.1.1, 1.2.3, 1.2.3.4.5 or 01.02.03.04')).toEqual([]);
  });

  it('decides: "version 1.2.3.4" and "v1.2.3.4" are versions; private, loopback and netmask addresses identify no one', () => {
    expect(found('Upgrade to version 1.2.3.4 or v1.2.3.4 or release 2.0.0.1.')).toEqual([]);
    expect(found('Listen on 0.0.0.0, 127.0.0.1, 10.0.0.5, 172.16.3.4, 192.168.1.10, mask 255.255.255.0')).toEqual([]);
    expect(found('It resolves to 1.2.3.4 now.')).toEqual(['1.2.3.4']); // bare: indistinguishable from an address
  });

  it('parses full, compressed and IPv4-embedded IPv6', () => {
    expect(isIPv6('2001:0db8:85a3:0000:0000:8a2e:0370:7334')).toBe(true);
    expect(isIPv6('2001:db8::1')).toBe(true);
    expect(isIPv6('::ffff:192.0.2.128')).toBe(true);
    expect(isIPv6('1:2:3:4:5:6:7::')).toBe(true);
    expect(isIPv6('1:2:3:4:5:6:7:8:9')).toBe(false);
    expect(isIPv6('2001::db8::1')).toBe(false); // "::" only once
    expect(isIPv6('12345::1')).toBe(false);
    expect(isIPv6('::ffff:999.0.2.128')).toBe(false);
  });

  it('finds IPv6 in text, in URLs, and not in times, MAC addresses or C++ and Rust paths', () => {
    expect(found('Ping 2001:db8:85a3::8a2e:370:7334. Open http://[2a00:1450:4001:82b::200e]:443/ now', 'ip_address'))
      .toEqual(['2001:db8:85a3::8a2e:370:7334', '2a00:1450:4001:82b::200e']);
    expect(found('At 12:30:45, MAC 00:1A:2B:3C:4D:5E, std::vector, Add::Face, f32::EPSILON, ::1 and fe80::1')).toEqual([]);
  });
});

describe('payment cards', () => {
  it('finds Luhn-valid numbers whole or in groups, and not invalid ones', () => {
    expect(found('Visa 4111 1111 1111 1111, MC 5555-5555-5555-4444, Amex 378282246310005, Amex 3782 822463 10005'))
      .toEqual(['4111 1111 1111 1111', '5555-5555-5555-4444', '378282246310005', '3782 822463 10005']);
    expect(found('Card 4111 1111 1111 1112 and 4111-1111 1111-1111')).toEqual([]); // bad check digit; mixed separators
  });

  it('stops a card at its last valid group when another number follows', () => {
    expect(found('4111 1111 1111 1111 2024')).toEqual(['4111 1111 1111 1111']);
  });

  it('leaves Luhn-valid lists of single digits and numbers starting with 0, 1, 7-9 alone', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(found('Digits 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1, id 7992739871300000')).toEqual([]);
  });
});

describe('IBAN', () => {
  it('finds valid IBANs, compact or grouped by four, and not invalid ones', () => {
    expect(found('Pay DE89 3704 0044 0532 0130 00 AND ALSO GB82WEST12345698765432.'))
      .toEqual(['DE89 3704 0044 0532 0130 00', 'GB82WEST12345698765432']);
    expect(found('Not DE89 3704 0044 0532 0130 01 nor DE89370400440532013001')).toEqual([]);
  });
});

describe('secrets', () => {
  it('finds provider tokens by their prefixes', () => {
    const gh = 'ghp_' + 'A1b2C3d4E5'.repeat(4).slice(0, 36);
    const text = `AKIAIOSFODNN7EXAMPLE ${gh} github_pat_11ABCDEFG0123456789_abcdefghijkl sk-proj-Abc123Def456Ghi789Jkl012 ` +
      `xoxb-123456789012-abcdefABCDEF AIzaSyA1234567890abcdefghijklmnopqrstuv`;
    expect(found(text).length).toBe(6);
    expect(findPii(text).every((s) => s.kind === 'secret')).toBe(true);
  });

  it('finds a private key block, even one cut off before its END line', () => {
    const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----';
    expect(found(`key:\n${pem}\nthanks`)).toEqual([pem]);
    expect(found('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nThat is all.')).toEqual(['-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC']);
  });

  it('finds the value of password / api_key / secret assignments and keeps the name', () => {
    const text = 'db_password=hunter22\nAPI_KEY="abc123xyz789"\n  secret: mysecretvalue\n{"client_secret": "s3cr3t-v4lue"}\n' +
      'curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9abcdefghij"';
    expect(found(text)).toEqual(['hunter22', 'abc123xyz789', 'mysecretvalue', 's3cr3t-v4lue', 'eyJhbGciOiJIUzI1NiJ9abcdefghij']);
  });

  it('leaves code that names a secret, placeholders, types and prose alone', () => {
    const text = 'password = input("Password: ")\npassword = args.password\napi_key = os.environ["API_KEY"]\n' +
      'const secret = process.env.SECRET;\nAPI_KEY=${API_KEY}\npassword: string;\nsecret_key = "<your key here>"\n' +
      'password = user_password\nThe secret: always be kind.\nif password == "":\ntoken = tokens[0]';
    expect(found(text)).toEqual([]);
  });
});

describe('findPii', () => {
  it('returns spans in text order, without overlaps, only of the kinds asked for', () => {
    const text = 'Mail a@example.com from 8.8.8.8, call +1 (555) 123-4567, password=a@example.com';
    expect(findPii(text).map((s) => [s.kind, s.text])).toEqual([
      ['email', 'a@example.com'], ['ip_address', '8.8.8.8'], ['phone', '+1 (555) 123-4567'], ['secret', 'a@example.com'],
    ]);
    expect(findPii(text, ['ip_address']).map((s) => s.text)).toEqual(['8.8.8.8']);
    const [first] = findPii(text);
    expect(text.slice(first.start, first.end)).toBe(first.text);
  });

  it('finds nothing in plain RTL, CJK and emoji text', () => {
    expect(findPii('مرحبا بالعالم ١٢٣٤ שלום עולם 你好世界 2024年1月15日 👨‍👩‍👧‍👦 🇯🇵')).toEqual([]);
  });
});
