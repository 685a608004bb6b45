/** Personal data of every kind the corpus holds, with valid checksums where a kind has one. */
import { digits, int, pick, rand } from './random.js';

export const FIRST = [
  'jane',
  'omar',
  'li',
  'sofia',
  'lukas',
  'marie',
  'diego',
  'anouk',
  'priya',
  'tom',
];
export const LAST = [
  'doe',
  'haddad',
  'wei',
  'rossi',
  'mueller',
  'dubois',
  'garcia',
  'jansen',
  'rao',
];
export const DOMAINS = [
  'example.org',
  'mail.example.com',
  'clinic-example.de',
  'uni.example.ac.uk',
];

export function email(): { value: string; shown: string } {
  const f = pick(FIRST);
  const l = pick(LAST);
  const local = pick([
    `${f}.${l}`,
    `${f[0]}${l}`,
    `${f}${int(1, 99)}`,
    `${f}.${l}+care`,
    `${f}_${l}`,
  ]);
  const domain = pick(DOMAINS);
  const plain = `${local}@${domain}`;
  const [host, ...rest] = domain.split('.');
  const spelled = (at: string, dot: string) =>
    `${local.replace(/\./g, dot)}${at}${host}${rest.map((r) => `${dot}${r}`).join('')}`;
  const shown = pick([
    plain,
    plain,
    plain.toUpperCase(),
    spelled(' at ', ' dot '),
    spelled(' [at] ', ' [dot] '),
    spelled(' (at) ', ' (dot) '),
    spelled(' at ', '.'),
  ]);
  return { value: shown, shown };
}

export function luhnComplete(prefix: string, length: number): string {
  const body = prefix + digits(length - prefix.length - 1);
  for (let d = 0; d <= 9; d++) {
    const candidate = body + d;
    let sum = 0;
    for (let i = 0; i < candidate.length; i++) {
      let v = Number(candidate[candidate.length - 1 - i]);
      if (i % 2 === 1) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
      sum += v;
    }
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}

export function card(): string {
  const [prefix, length] = pick([
    ['4', 16],
    ['51', 16],
    ['55', 16],
    ['2221', 16],
    ['34', 15],
    ['37', 15],
    ['6011', 16],
    ['4', 13],
  ] as const);
  const n = luhnComplete(prefix, length);
  if (length === 15 && rand() < 0.6) return `${n.slice(0, 4)} ${n.slice(4, 10)} ${n.slice(10)}`;
  const sep = pick(['', ' ', '-']);
  return sep ? n.replace(/(\d{4})(?=\d)/g, `$1${sep}`) : n;
}

export function ssn(): string {
  let area = int(1, 899);
  if (area === 666) area = 667;
  return `${String(area).padStart(3, '0')}-${String(int(1, 99)).padStart(2, '0')}-${String(int(1, 9999)).padStart(4, '0')}`;
}

export function iban(): string {
  const [country, bban] = pick([
    ['DE', () => digits(18)],
    ['GB', () => `${pick(['WEST', 'NWBK', 'BARC', 'MIDL'])}${digits(14)}`],
    ['FR', () => `${digits(10)}${pick(['A', 'B', '0'])}${digits(10)}${digits(2)}`],
    ['ES', () => digits(20)],
    ['NL', () => `${pick(['ABNA', 'INGB', 'RABO'])}${digits(10)}`],
    ['IT', () => `X${digits(10)}${digits(12)}`],
    ['BE', () => digits(12)],
    ['AT', () => digits(16)],
    ['CH', () => digits(17)],
  ] as const);
  const b = bban();
  const numeric = `${b}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const ch of numeric) rest = (rest * 10 + Number(ch)) % 97;
  const check = String(98 - rest).padStart(2, '0');
  const compact = `${country}${check}${b}`;
  return rand() < 0.7 ? compact.replace(/(.{4})(?=.)/g, '$1 ') : compact;
}

export const WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
];
export function phone(): { value: string; lang: string } {
  const local4 = () => String(int(100, 9999)).padStart(4, '0');
  const area = () => String(int(201, 989));
  return pick([
    () => ({ value: `+1 ${area()} 555 ${local4()}`, lang: 'en' }),
    () => ({ value: `+1${area()}555${local4()}`, lang: 'en' }),
    () => ({ value: `(${area()}) 555-${local4()}`, lang: 'en' }),
    () => ({ value: `${area()}-555-${local4()}`, lang: 'en' }),
    () => ({ value: `${area()}.555.${local4()}`, lang: 'en' }),
    () => ({ value: `1-800-555-${local4()}`, lang: 'en' }),
    () => ({ value: `020 7946 ${local4()}`, lang: 'en-GB' }),
    () => ({ value: `07700 900${String(int(0, 999)).padStart(3, '0')}`, lang: 'en-GB' }),
    () => ({ value: `+44 20 7946 ${local4()}`, lang: 'en-GB' }),
    () => ({ value: `030 ${digits(8)}`, lang: 'de' }),
    () => ({ value: `030/${digits(7)}`, lang: 'de' }),
    () => ({ value: `0151 ${digits(8)}`, lang: 'de' }),
    () => ({ value: `0049 30 ${digits(7)}`, lang: 'de' }),
    () => ({ value: `+49 (0)30 ${digits(7)}`, lang: 'de' }),
    () => ({ value: `+49 151 ${digits(8)}`, lang: 'de' }),
    () => ({ value: `01 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`, lang: 'fr' }),
    () => ({ value: `06.${digits(2)}.${digits(2)}.${digits(2)}.${digits(2)}`, lang: 'fr' }),
    () => ({ value: `+33 6 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`, lang: 'fr' }),
    () => ({ value: `6${digits(2)} ${digits(3)} ${digits(3)}`, lang: 'es' }),
    () => ({ value: `91 ${digits(3)} ${digits(2)} ${digits(2)}`, lang: 'es' }),
    () => ({ value: `+34 6${digits(2)} ${digits(3)} ${digits(3)}`, lang: 'es' }),
    () => ({ value: `06-${digits(8)}`, lang: 'nl' }),
    () => ({ value: `020 ${digits(3)} ${digits(4)}`, lang: 'nl' }),
    () => ({ value: `+31 6 ${digits(8)}`, lang: 'nl' }),
    () => ({ value: `06 ${digits(4)} ${digits(4)}`, lang: 'it' }),
    () => ({ value: `+39 3${digits(2)} ${digits(3)} ${digits(4)}`, lang: 'it' }),
    () => {
      const d = `${area()}555${local4()}`.split('').map((c) => WORDS[Number(c)]!);
      const spoken = `${d.slice(0, 3).join(' ')}, ${d.slice(3, 6).join(' ')}, ${d.slice(6).join(' ')}`;
      return { value: rand() < 0.5 ? spoken : spoken.replace(/zero/g, 'oh'), lang: 'en' };
    },
    () => ({ value: `${area()}555${local4()}`.split('').join(' '), lang: 'en' }),
  ])();
}

export function ipAddress(): string {
  if (rand() < 0.6) return `${int(11, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
  const g = () => int(0, 0xffff).toString(16);
  return pick([
    () => `2001:db8:${g()}:${g()}:${g()}:${g()}:${g()}:${g()}`,
    () => `2001:db8::${g()}:${g()}`,
    () => `fe80::${g()}:${g()}:${g()}:${g()}`,
    () => `2a00:1450:${g()}::${g()}`,
  ])();
}

export const MONTHS_EN = ['January', 'March', 'April', 'July', 'September', 'November', 'Dec'];
export function dateOfBirth(lang: string): string {
  const d = int(1, 28);
  const m = int(1, 12);
  const y = int(1930, 2015);
  const p2 = (n: number) => String(n).padStart(2, '0');
  if (lang === 'de')
    return pick([`${p2(d)}.${p2(m)}.${y}`, `${d}. ${pick(['März', 'Juli', 'Oktober'])} ${y}`]);
  if (lang === 'fr')
    return pick([`${p2(d)}/${p2(m)}/${y}`, `${d} ${pick(['mars', 'juillet', 'août'])} ${y}`]);
  if (lang === 'es')
    return pick([
      `${p2(d)}/${p2(m)}/${y}`,
      `${d} de ${pick(['marzo', 'julio', 'octubre'])} de ${y}`,
    ]);
  if (lang === 'nl')
    return pick([`${p2(d)}-${p2(m)}-${y}`, `${d} ${pick(['maart', 'mei', 'oktober'])} ${y}`]);
  return pick([
    `${p2(m)}/${p2(d)}/${y}`,
    `${y}-${p2(m)}-${p2(d)}`,
    `${pick(MONTHS_EN)} ${d}, ${y}`,
    `${d} ${pick(MONTHS_EN)} ${y}`,
    `${d}th of ${pick(MONTHS_EN)} ${y}`,
    `${m}/${d}/${String(y).slice(2)}`,
  ]);
}

export function recordNumber(): string {
  return pick([
    () => digits(8),
    () => `${pick(['A', 'MR', 'PT'])}-${digits(7)}`,
    () => `${pick(['XJH', 'MBR', 'K'])}${digits(9)}`,
    () => `${digits(3)} ${digits(3)} ${digits(4)}`,
    () => `00${digits(7)}`,
  ])();
}
