import { describe, expect, it } from 'vitest';
import { passesLuhn, redactText } from './redact.js';

describe('redactText', () => {
  it.each([
    ['write to jane.doe+care@example.org please', 'write to [EMAIL] please', 'email'],
    ['my card is 4111 1111 1111 1111 thanks', 'my card is [CARD] thanks', 'card'],
    ['card 5500-0000-0000-0004 expires soon', 'card [CARD] expires soon', 'card'],
    ['social security 123-45-6789 on file', 'social security [SSN] on file', 'ssn'],
    ['call me at +1 (415) 555-0100 tomorrow', 'call me at [PHONE] tomorrow', 'phone'],
    ['ring 020 7946 0958 after six', 'ring [PHONE] after six', 'phone'],
    ['patient record 98765432 updated', 'patient record [ID] updated', 'id'],
  ])('replaces %j', (input, expected, kind) => {
    const { text, counts } = redactText(input);
    expect(text).toBe(expected);
    expect(counts[kind as keyof typeof counts]).toBe(1);
  });

  it.each([
    'take 2 tablets at 10:30 and 22:30',
    'blood pressure 120/80, pulse 72',
    'version 4.3.1 was released in 2025',
    'the dose went from 250 to 500 mg',
  ])('leaves %j alone', (input) => {
    expect(redactText(input)).toEqual({
      text: input,
      counts: { email: 0, iban: 0, card: 0, ssn: 0, dob: 0, id: 0, ip: 0, phone: 0 },
    });
  });

  it('does not take a 16-digit number that fails Luhn for a card, but still hides it as an ID', () => {
    expect(redactText('order 4111 1111 1111 1112 shipped')).toMatchObject({
      text: 'order [ID] shipped',
      counts: { card: 0, id: 1 },
    });
    expect(redactText('order 4111111111111112 shipped')).toMatchObject({
      text: 'order [ID] shipped',
      counts: { card: 0, id: 1 },
    });
  });
});

describe('passesLuhn', () => {
  it.each([
    ['4111111111111111', true],
    ['79927398713', true],
    ['79927398710', false],
    ['', false],
    ['12a4', false],
  ])('%s → %s', (digits, ok) => expect(passesLuhn(digits)).toBe(ok));
});
