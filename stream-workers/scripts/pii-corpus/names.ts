import { pick, rand } from './random.js';
import type { CorpusEntry } from './types.js';

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
