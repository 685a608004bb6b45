/**
 * Writes stream-workers/test/fixtures/pii-corpus.json, the snippets the redactor is measured
 * on, and pii-names.json, the snippets a person-name recognizer is measured on. Positives carry the exact personal data they hold (valid checksums where the kind has
 * one: Luhn for cards, mod 97 for IBANs); negatives are text full of numbers that are not
 * personal data. Seeded, so the file only changes when this script does.
 *   npx tsx stream-workers/scripts/build-pii-corpus.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CorpusEntry {
  text: string;
  /** The personal data in `text`, each with its kind; empty for a negative. */
  pii: { kind: string; value: string }[];
  lang: string;
}

let seed = 20261202;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const digits = (n: number) => Array.from({ length: n }, () => int(0, 9)).join('');

const FIRST = ['jane', 'omar', 'li', 'sofia', 'lukas', 'marie', 'diego', 'anouk', 'priya', 'tom'];
const LAST = ['doe', 'haddad', 'wei', 'rossi', 'mueller', 'dubois', 'garcia', 'jansen', 'rao'];
const DOMAINS = ['example.org', 'mail.example.com', 'clinic-example.de', 'uni.example.ac.uk'];

function email(): { value: string; shown: string } {
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

function luhnComplete(prefix: string, length: number): string {
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

function card(): string {
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

function ssn(): string {
  let area = int(1, 899);
  if (area === 666) area = 667;
  return `${String(area).padStart(3, '0')}-${String(int(1, 99)).padStart(2, '0')}-${String(int(1, 9999)).padStart(4, '0')}`;
}

function iban(): string {
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

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
function phone(): { value: string; lang: string } {
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

function ipAddress(): string {
  if (rand() < 0.6) return `${int(11, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`;
  const g = () => int(0, 0xffff).toString(16);
  return pick([
    () => `2001:db8:${g()}:${g()}:${g()}:${g()}:${g()}:${g()}`,
    () => `2001:db8::${g()}:${g()}`,
    () => `fe80::${g()}:${g()}:${g()}:${g()}`,
    () => `2a00:1450:${g()}::${g()}`,
  ])();
}

const MONTHS_EN = ['January', 'March', 'April', 'July', 'September', 'November', 'Dec'];
function dateOfBirth(lang: string): string {
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

function recordNumber(): string {
  return pick([
    () => digits(8),
    () => `${pick(['A', 'MR', 'PT'])}-${digits(7)}`,
    () => `${pick(['XJH', 'MBR', 'K'])}${digits(9)}`,
    () => `${digits(3)} ${digits(3)} ${digits(4)}`,
    () => `00${digits(7)}`,
  ])();
}

const positives: ((lang?: string) => CorpusEntry)[] = [
  () => {
    const e = email();
    const t = pick([
      `Please send the results to ${e.shown} today.`,
      `My email is ${e.shown}`,
      `contact: ${e.shown}`,
      `You can reach me at ${e.shown}, thanks`,
      `Schicken Sie den Befund bitte an ${e.shown}.`,
      `Envoyez le compte rendu à ${e.shown} svp`,
      `Mi correo es ${e.shown}`,
      `Mijn e-mailadres is ${e.shown}.`,
    ]);
    return { text: t, pii: [{ kind: 'email', value: e.value }], lang: 'mixed' };
  },
  () => {
    const p = phone();
    const t = pick(
      {
        en: [
          `Call me back on ${p.value} after five.`,
          `my number is ${p.value}`,
          `Phone: ${p.value}`,
          `you can text ${p.value} anytime`,
          `${p.value} is the best number to reach her`,
        ],
        'en-GB': [
          `Ring the surgery on ${p.value}.`,
          `Mobile ${p.value}`,
          `her number is ${p.value}`,
        ],
        de: [
          `Rufen Sie mich unter ${p.value} an.`,
          `Tel. ${p.value}`,
          `Meine Handynummer ist ${p.value}.`,
        ],
        fr: [
          `Appelez-moi au ${p.value} demain.`,
          `Tél : ${p.value}`,
          `mon portable c'est le ${p.value}`,
        ],
        es: [`Llámeme al ${p.value} por favor.`, `Mi teléfono es ${p.value}`, `móvil ${p.value}`],
        nl: [`Bel me op ${p.value}.`, `Mijn nummer is ${p.value}`, `telefoon ${p.value}`],
        it: [`Mi chiami al ${p.value}.`, `cellulare ${p.value}`],
      }[p.lang]!,
    );
    return { text: t, pii: [{ kind: 'phone', value: p.value }], lang: p.lang };
  },
  () => {
    const c = card();
    const t = pick([
      `The card number is ${c}, expiry 09/27.`,
      `I paid with ${c}`,
      `card ${c} was declined`,
      `Kartennummer ${c}`,
      `numéro de carte ${c}`,
      `charge it to ${c} please`,
    ]);
    return { text: t, pii: [{ kind: 'card', value: c }], lang: 'mixed' };
  },
  () => {
    const s = ssn();
    const t = pick([
      `SSN ${s}`,
      `my social security number is ${s}.`,
      `Social: ${s} on file`,
      `${s} is his SSN`,
      `patient SSN: ${s}, insured`,
    ]);
    return { text: t, pii: [{ kind: 'ssn', value: s }], lang: 'en' };
  },
  () => {
    const i = iban();
    const t = pick([
      `IBAN ${i}`,
      `Please transfer it to ${i} by Friday.`,
      `Überweisung auf ${i}`,
      `mon IBAN est ${i}`,
      `cuenta ${i}`,
      `rekeningnummer ${i}`,
    ]);
    return { text: t, pii: [{ kind: 'iban', value: i }], lang: 'mixed' };
  },
  () => {
    const ip = ipAddress();
    const t = pick([
      `request from ${ip} was blocked`,
      `client ip ${ip}`,
      `she logged in from ${ip} twice`,
      `origin=${ip}`,
      `[${ip}] timeout`,
    ]);
    return { text: t, pii: [{ kind: 'ip', value: ip }], lang: 'en' };
  },
  () => {
    const lang = pick(['en', 'en', 'en', 'de', 'fr', 'es', 'nl']);
    const d = dateOfBirth(lang);
    const t = pick(
      {
        en: [
          `DOB: ${d}`,
          `date of birth ${d}`,
          `Patient born ${d}, seen today.`,
          `born on ${d} in Leeds`,
          `D.O.B. ${d}`,
          `birthdate: ${d}`,
        ],
        de: [`geboren am ${d}`, `Geburtsdatum: ${d}`, `geb. ${d}`],
        fr: [`née le ${d}`, `date de naissance : ${d}`, `né le ${d} à Lyon`],
        es: [`fecha de nacimiento: ${d}`, `nació el ${d}`, `nacida el ${d}`],
        nl: [`geboren op ${d}`, `geboortedatum ${d}`],
      }[lang]!,
    );
    return { text: t, pii: [{ kind: 'dob', value: d }], lang };
  },
  () => {
    const r = recordNumber();
    const t = pick([
      `MRN ${r}`,
      `MRN: ${r}, admitted`,
      `medical record number ${r}`,
      `patient ID ${r}`,
      `member ID ${r} for the claim`,
      `policy number ${r}`,
      `NHS number ${r}`,
      `Versichertennummer ${r}`,
      `Patientennummer: ${r}`,
      `numéro de dossier ${r}`,
      `número de historia clínica ${r}`,
      `patiëntnummer ${r}`,
      `account number ${r}`,
      `passport no. ${r}`,
    ]);
    return { text: t, pii: [{ kind: 'id', value: r }], lang: 'mixed' };
  },
  () => {
    const r = digits(int(7, 12));
    const t = pick([
      `reference ${r} attached`,
      `ticket ${r} reopened`,
      `the code was ${r}`,
      `Aktenzeichen ${r}`,
      `dossier ${r}`,
    ]);
    return { text: t, pii: [{ kind: 'id', value: r }], lang: 'mixed' };
  },
  () => {
    const e = email();
    const p = phone();
    return {
      text: `Reach ${pick(FIRST)} at ${e.shown} or on ${p.value}.`,
      pii: [
        { kind: 'email', value: e.value },
        { kind: 'phone', value: p.value },
      ],
      lang: 'en',
    };
  },
];

const year = () => int(1980, 2030);
const negatives: (() => string)[] = [
  () => `The study ran from ${year()} to ${year()}.`,
  () =>
    `${pick(['season', 'fiscal year', 'Saison', 'temporada'])} ${int(2000, 2024)}-${int(2001, 2025)}`,
  () => `${int(2015, 2024)}–${int(2016, 2026)} results`,
  () => `Version ${int(1, 20)}.${int(0, 30)}.${int(0, 99)} fixes the bug`,
  () => `upgrade to v${int(1, 9)}.${int(0, 12)}.${int(0, 40)} before ${year()}`,
  () => `build ${int(10, 11)}.0.${int(19000, 22999)}.${int(100, 4000)}`,
  () =>
    `Appointment on ${year()}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')} at ${int(8, 17)}:${pick(['00', '15', '30', '45'])}`,
  () => `next visit ${int(1, 28)}/${int(1, 12)}/${year()}`,
  () =>
    `Termin am ${String(int(1, 28)).padStart(2, '0')}.${String(int(1, 12)).padStart(2, '0')}.${year()} um ${int(8, 17)}:30 Uhr`,
  () => `le rendez-vous du ${int(1, 28)} ${pick(['mars', 'avril', 'mai'])} ${year()}`,
  () => `scheduled for ${pick(MONTHS_EN)} ${int(1, 28)}, ${year()}`,
  () =>
    `started at ${int(0, 23)}:${String(int(0, 59)).padStart(2, '0')}:${String(int(0, 59)).padStart(2, '0')}`,
  () => `take ${int(1, 3)} tablets of ${pick([250, 500, 1000])} mg twice daily`,
  () => `${int(1, 10)}.${int(0, 9)} mg/kg every ${int(4, 12)} hours`,
  () => `vitamin D ${pick(['1,000', '2,000', '4000'])} IU daily`,
  () => `Dosis: ${int(5, 40)} ml alle ${int(4, 8)} Stunden`,
  () => `scores ${int(60, 99)} ${int(60, 99)} ${int(60, 99)} ${int(60, 99)}`,
  () => `PHQ-9 score ${int(0, 27)}, GAD-7 ${int(0, 21)}`,
  () => `BP ${int(100, 160)}/${int(60, 100)}, pulse ${int(50, 110)}, SpO2 ${int(90, 100)}%`,
  () => `temperature ${int(36, 40)}.${int(0, 9)} °C`,
  () => `weight ${int(40, 120)}.${int(0, 9)} kg, height ${int(150, 200)} cm`,
  () => `${int(2, 40)} participants in ${int(2, 9)} groups`,
  () =>
    `we processed ${int(1, 999)},${String(int(0, 999)).padStart(3, '0')},${String(int(0, 999)).padStart(3, '0')} events`,
  () =>
    `total ${pick(['$', '€', '£'])}${int(1, 9)},${String(int(0, 999)).padStart(3, '0')}.${String(int(0, 99)).padStart(2, '0')}`,
  () =>
    `Summe ${int(1, 9)}.${String(int(0, 999)).padStart(3, '0')},${String(int(0, 99)).padStart(2, '0')} €`,
  () =>
    `${int(1, 9)}.${String(int(0, 999)).padStart(3, '0')}.${String(int(0, 999)).padStart(3, '0')} Einwohner`,
  () => `room ${int(100, 950)}, bed ${int(1, 30)}`,
  () => `${int(10000, 99999)} ${pick(['Berlin', 'Paris', 'Madrid'])}`,
  () => `Meet me at ${pick(['noon', 'the clinic', 'home', 'the front desk'])} tomorrow.`,
  () => `look at the results and call the lab`,
  () => `one or two tablets, three times a day`,
  () => `count with me: one two three four five six seven eight nine`,
  () => `${pick(['iPhone', 'Pixel', 'Galaxy S'])} ${int(7, 16)} running Android ${int(10, 15)}`,
  () => `ratio 1:${pick([100, 1000, 5000])}`,
  () => `${int(1, 99)}.${int(0, 9)}% of sessions bounced`,
  () => `week ${year()}-W${String(int(1, 52)).padStart(2, '0')}`,
  () => `the ${int(2, 9)}th floor, ${int(1, 12)} doors down`,
  () => `HTTP ${pick([200, 404, 500, 503])} after ${int(10, 999)} ms`,
  () => `latency p95 ${int(100, 999)} ms, p99 ${int(1000, 4999)} ms`,
  () => `error E${int(100, 999)} at line ${int(1, 9999)}`,
  () => `ICD-10 code ${pick(['E11.9', 'I10', 'J45.909', 'F32.1'])}`,
  () => `between ${int(8, 11)}:00 and ${int(12, 18)}:00 on weekdays`,
  () => `flight LH ${int(100, 999)} leaves at ${int(6, 22)}:${pick(['05', '40'])}`,
  () => `aged ${int(18, 90)}, ${int(1, 5)} children`,
  () => `born in ${year()} and raised in Ohio`,
  () => `he was born at the start of the year`,
  () => `Chapter ${int(1, 30)}, pages ${int(1, 200)}-${int(201, 400)}`,
  () => `ISBN-free reprint of ${year()}`,
  () => `lot ${int(1, 99)}, expires ${String(int(1, 12)).padStart(2, '0')}/${int(25, 30)}`,
  () => `the meeting at ${int(1, 12)} pm is with ${pick(FIRST)}`,
  () => `Python ${pick(['3.11.7', '3.12.1'])} and Node ${pick(['20.19.0', '22.4.1'])}`,
  () => `ordered ${int(2, 12)} boxes of ${int(10, 100)}`,
];

/** Written by hand, messier than the templates: transcript speech, markup, edge formats. */
const P = (text: string, ...pii: [string, string][]): CorpusEntry => ({
  text,
  pii: pii.map(([kind, value]) => ({ kind, value })),
  lang: 'hand',
});
const HANDWRITTEN: CorpusEntry[] = [
  P("it's john underscore doe at outlook dot com", [
    'email',
    'john underscore doe at outlook dot com',
  ]),
  P('email me: JANE.DOE@EXAMPLE.ORG', ['email', 'JANE.DOE@EXAMPLE.ORG']),
  P('<a href="mailto:ops@clinic.example.org">write</a>', ['email', 'ops@clinic.example.org']),
  P('uh so my email is sam dot k at proton dot me okay', ['email', 'sam dot k at proton dot me']),
  P('my cell is 415 555 0132 ext. 12', ['phone', '415 555 0132']),
  P('phone (+44) 7700 900123', ['phone', '(+44) 7700 900123']),
  P('+44 (0) 20 7946 0958 is the ward', ['phone', '+44 (0) 20 7946 0958']),
  P('text +1-415-555-0132 when you land', ['phone', '+1-415-555-0132']),
  P('1 (800) 555-0199 toll free', ['phone', '1 (800) 555-0199']),
  P('call 0800 123 4567 for help', ['phone', '0800 123 4567']),
  P('Tel: +41 44 668 18 00', ['phone', '+41 44 668 18 00']),
  P('num: +32 2 555 12 12', ['phone', '+32 2 555 12 12']),
  P('appelez le 04 72 00 00 00 demain', ['phone', '04 72 00 00 00']),
  P("my number's five five five, oh one three two", ['phone', 'five five five, oh one three two']),
  P('it is four one five, five five five, zero one three two, got it?', [
    'phone',
    'four one five, five five five, zero one three two',
  ]),
  P('call me on oh seven seven oh oh nine oh oh one two three', [
    'phone',
    'oh seven seven oh oh nine oh oh one two three',
  ]),
  P('card 4242424242424242 exp 12/29', ['card', '4242424242424242']),
  P('cc: 5555 5555 5555 4444', ['card', '5555 5555 5555 4444']),
  P('amex 3782 822463 10005', ['card', '3782 822463 10005']),
  P('SSN is 078-05-1120.', ['ssn', '078-05-1120']),
  P('ss# 219 09 9999 confirmed', ['ssn', '219 09 9999']),
  P('IBAN: de89 3704 0044 0532 0130 00', ['iban', 'de89 3704 0044 0532 0130 00']),
  P('FR76 3000 6000 0112 3456 7890 189 (compte joint)', [
    'iban',
    'FR76 3000 6000 0112 3456 7890 189',
  ]),
  P('pay NL91ABNA0417164300 before the 5th', ['iban', 'NL91ABNA0417164300']),
  P('GB29 NWBK 6016 1331 9268 19', ['iban', 'GB29 NWBK 6016 1331 9268 19']),
  P('she was on 192.168.1.15 at home', ['ip', '192.168.1.15']),
  P('ip=10.0.0.7; port=443', ['ip', '10.0.0.7']),
  P('peer ::ffff:203.0.113.9 reset', ['ip', '::ffff:203.0.113.9']),
  P('host 2001:0db8:85a3:0000:0000:8a2e:0370:7334 down', [
    'ip',
    '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
  ]),
  P('DOB 23/04/1961', ['dob', '23/04/1961']),
  P('d.o.b 1961-04-23, allergies none', ['dob', '1961-04-23']),
  P('born 23rd April 1961', ['dob', '23rd April 1961']),
  P('Date of Birth: April 23, 1961', ['dob', 'April 23, 1961']),
  P('her birthday is on March 3rd, 1990', ['dob', 'March 3rd, 1990']),
  P('MRN#00451827', ['id', '00451827']),
  P('MRN 451827 transferred', ['id', '451827']),
  P('patient no. 3341-552', ['id', '3341-552']),
  P('Member ID: W123456789', ['id', 'W123456789']),
  P('medicare number 1EG4-TE5-MK73', ['id', '1EG4-TE5-MK73']),
  P('order 99831230001 was split', ['id', '99831230001']),
  P('Visa ending in 4242'),
  P('call at 3 pm, not at 4'),
  P("I'm at 55 percent battery"),
  P('at 9 we start the rounds'),
  P('the 2020 census counted 331,449,281 people'),
  P('zip 94103, San Francisco'),
  P('1-2 tablets every 4-6 hours'),
  P('seven eight nine ten, keep counting'),
  P('ICD code Z00.00 and CPT 99213 billed'),
  P('room 4B, building 12, floor 3'),
  P('Flight UA 1549 landed on the Hudson'),
  P('Highway 101 was closed for 2 hours'),
  P('8 out of 10 patients improved'),
  P('one hundred and twenty three steps'),
  P('Windows 10.0.19045 and macOS 14.2.1'),
  P('the 2021-2022 guidelines apply'),
  P('as shown by Smith et al. (2019)'),
  P('born in the 1960s'),
  P('Born this way'),
  P('date 2024-01-15, follow-up on 15.01.2024 at 10.30'),
  P('£1,200 or 10,000 steps or 1.5 million'),
  P('GPT-4 and Whisper v3 compared'),
  P('a 5-4 decision, the score was 21-17'),
  P('her ID card renewal is due'),
  P('Apollo 11 and 13'),
  P('HbA1c 7.2%, LDL 130 mg/dL'),
  P('the meeting is at noon dot'),
  P('questionnaire item 12 scored 3, item 13 scored 4'),
  P('+5 points, -3 points'),
  P('vitals at 08:15: HR 88, RR 16, T 37.2'),
];

export function buildCorpus(): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  const seen = new Set<string>();
  const add = (e: CorpusEntry) => {
    if (!seen.has(e.text)) {
      seen.add(e.text);
      out.push(e);
    }
  };
  for (const e of HANDWRITTEN) add(e);
  while (out.length < 740) add(pick(positives)());
  let guard = 0;
  while (out.length < 1440 && guard++ < 100_000)
    add({ text: pick(negatives)(), pii: [], lang: 'mixed' });
  return out;
}

const GIVEN = [
  'John',
  'Mary',
  'Amelia',
  'Omar',
  'Priya',
  'Lukas',
  'Sofia',
  'Chen',
  'Fatima',
  'Diego',
  'Anouk',
  'Kwame',
  'Yuki',
  'Olivia',
  'Mohammed',
  'Hannah',
  'Raj',
  'Elena',
  'Tomasz',
  'Grace',
  'Ahmed',
  'Ingrid',
  'Pierre',
  'Lucía',
  'Jamal',
];
const FAMILY = [
  'Smith',
  'Ortiz',
  'Haddad',
  'Patel',
  'Müller',
  'Rossi',
  'Wei',
  'Khan',
  'Garcia',
  'Jansen',
  'Mensah',
  'Tanaka',
  'Johnson',
  'Al-Farsi',
  'Schmidt',
  'Sharma',
  'Petrova',
  'Kowalski',
  'Okafor',
  'Lindqvist',
  'Dubois',
  'Fernández',
  'Washington',
];
const WITH_NAME: ((n: string) => string)[] = [
  (n) => `Patient ${n}, SSN on file`,
  (n) => `this is ${n} speaking`,
  (n) => `I spoke with ${n} yesterday about the results`,
  (n) => `${n} called to reschedule`,
  (n) => `please ask for ${n} at the front desk`,
  (n) => `referred by ${n}`,
  (n) => `my name is ${n}`,
  (n) => `${n} reported chest pain since Monday`,
  (n) => `the nurse, ${n}, took the vitals`,
  (n) => `hi ${n}, how are you feeling`,
  (n) => `thanks ${n}, that helps`,
  (n) => `${n}'s mother has diabetes`,
];
const WITHOUT_NAME = [
  'the appointment is on Monday in Berlin',
  'switch to Chrome or Firefox',
  'Whisper large v3 transcribed it',
  'take Metformin with food',
  'the Mayo Clinic guidelines',
  'see you in March',
  'Apple Watch data was synced',
  'the patient reported chest pain',
  'call the pharmacy on Main Street',
  'New York office closes at five',
  'we use Google Meet',
  'Christmas holidays start soon',
  'the Amazon delivery arrived',
  'the Johnson & Johnson vaccine',
  'Parkinson disease progression',
  'Alzheimer screening',
  'the Lincoln Memorial trip',
  'Down syndrome clinic',
  'a Tesla in the parking lot',
  'my doctor said rest',
  'increase the dose next week',
  'blood pressure is stable',
  'the MRI is scheduled',
  'he went to Paris in June',
  'she prefers the morning slot',
];

/** Person names, for the evaluation of a name recognizer (the redactor itself finds none). */
export function buildNamesCorpus(): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  const seen = new Set<string>();
  while (out.length < 300) {
    const r = rand();
    const name = r < 0.7 ? `${pick(GIVEN)} ${pick(FAMILY)}` : r < 0.85 ? pick(GIVEN) : pick(FAMILY);
    const text = pick(WITH_NAME)(r >= 0.85 ? `Dr. ${name}` : name);
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ text, pii: [{ kind: 'name', value: name }], lang: 'en' });
  }
  for (let i = 0; out.length < 600 && i < 10_000; i++) {
    const text =
      i < WITHOUT_NAME.length
        ? WITHOUT_NAME[i]!
        : `${pick(WITHOUT_NAME)}, ${pick(['then', 'and', 'but', 'so'])} ${pick(WITHOUT_NAME)}`;
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ text, pii: [], lang: 'en' });
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const corpus = buildCorpus();
  const file = fileURLToPath(new URL('../test/fixtures/pii-corpus.json', import.meta.url));
  writeFileSync(file, `${JSON.stringify(corpus, null, 2)}\n`);
  const names = fileURLToPath(new URL('../test/fixtures/pii-names.json', import.meta.url));
  writeFileSync(names, `${JSON.stringify(buildNamesCorpus(), null, 2)}\n`);
  const pos = corpus.filter((c) => c.pii.length > 0).length;
  console.log(
    `wrote ${corpus.length} snippets (${pos} with personal data, ${corpus.length - pos} without) to ${file}`,
  );
}
