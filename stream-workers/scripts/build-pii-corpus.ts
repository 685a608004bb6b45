/**
 * Writes stream-workers/test/fixtures/pii-corpus.json, the snippets the redactor is measured
 * on, and pii-names.json, the snippets a person-name recognizer is measured on. Positives
 * carry the exact personal data they hold (valid checksums where the kind has one: Luhn for
 * cards, mod 97 for IBANs); negatives are text full of numbers that are not personal data. Seeded, so the file only changes when this script does.
 *   npx tsx stream-workers/scripts/build-pii-corpus.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { digits, int, pick } from './pii-corpus/random.js';
import { HANDWRITTEN } from './pii-corpus/handwritten.js';
import { buildNamesCorpus } from './pii-corpus/names.js';
import type { CorpusEntry } from './pii-corpus/types.js';

import {
  FIRST,
  MONTHS_EN,
  email,
  card,
  ssn,
  iban,
  phone,
  ipAddress,
  dateOfBirth,
  recordNumber,
} from './pii-corpus/values.js';

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
