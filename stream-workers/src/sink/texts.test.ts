import { describe, expect, it } from 'vitest';
import { encryptText, newSubjectKey, subjectToken, textAad } from '../subjects/crypto.js';
import type { TextKeys } from '../subjects/store.js';
import { classifyInsertError } from './retry.js';
import { holdsSealedText, openTexts, sealsText, SubjectTextError } from './texts.js';

const key = newSubjectKey();
const token = subjectToken(key, 'user');
const sealed = (text: string, eventId = 'e-1') =>
  encryptText(key, 'user', textAad('acme', eventId), text);
const value = (text: string | null, eventId = 'e-1') => ({
  envelope: { tenant_id: 'acme', event_id: eventId, user_id: token, anonymous_id: null },
  payload: { 'backbone.events.stt.TranscriptSegment': { text, segment_id: 's' } },
});
const textOf = (v: ReturnType<typeof value>) =>
  v.payload['backbone.events.stt.TranscriptSegment'].text;

/** Keys that know `known` tokens, and say `erased` for others once caught up. */
function keys(
  known: Record<string, Buffer | 'erased'>,
  afterCatchUp = known,
): TextKeys & { catchUps: number } {
  let current = known;
  return {
    catchUps: 0,
    keyOfToken: (t) => current[t],
    catchUp() {
      this.catchUps++;
      current = afterCatchUp;
      return Promise.resolve();
    },
  };
}

describe('encrypted text at the sink', () => {
  it('is looked for only in streams whose schema has critical free text, by its mark', () => {
    expect(sealsText('stt.transcript')).toBe(true);
    expect(sealsText('web')).toBe(false);
    const m = (s: string) => ({
      value: Buffer.from(s),
      key: null,
      timestamp: '0',
      attributes: 0,
      offset: '0',
      headers: {},
    });
    expect(holdsSealedText('stt.transcript', [m('x'), m(`..${sealed('hi')}..`)])).toBe(true);
    expect(holdsSealedText('stt.transcript', [m('plain')])).toBe(false);
    expect(holdsSealedText('web', [m(sealed('hi'))])).toBe(false);
  });

  it('decrypts with the key of the token the event carries, reading the topics once when it is new', async () => {
    const v = value(sealed('my head hurts'));
    const k = keys({}, { [token]: key });
    await openTexts(v, k, () => undefined);
    expect(textOf(v)).toBe('my head hurts');
    expect(k.catchUps).toBe(1);
  });

  it("leaves an erased person's text unreadable (null), and a forged one too, counted", async () => {
    const erased = value(sealed('gone'));
    await openTexts(erased, keys({ [token]: 'erased' }), () => undefined);
    expect(textOf(erased)).toBeNull();
    // A value moved from another event does not authenticate.
    const moved = value(sealed('elsewhere', 'e-2'), 'e-1');
    let forged = 0;
    await openTexts(moved, keys({ [token]: key }), () => forged++);
    expect([textOf(moved), forged]).toEqual([null, 1]);
  });

  it('refuses, for an operator to act on, without keys or without the key of a person not erased', async () => {
    await expect(openTexts(value(sealed('x')), undefined, () => undefined)).rejects.toThrow(
      SubjectTextError,
    );
    const missing = openTexts(value(sealed('x')), keys({}), () => undefined);
    await expect(missing).rejects.toThrow(/no subject key opens the text of event e-1/);
    const err = await openTexts(value(sealed('x')), undefined, () => undefined).catch(
      (e: unknown) => e,
    );
    expect(classifyInsertError(err)).toMatchObject({
      kind: 'refused',
      code: 'SUBJECT_KEYS',
      action: expect.stringMatching(/SUBJECT_MASTER_KEYS/) as unknown,
    });
  });

  it('leaves clear text as it is', async () => {
    const v = value('no one named, kept in clear');
    await openTexts(v, undefined, () => undefined);
    expect(textOf(v)).toBe('no one named, kept in clear');
  });
});
