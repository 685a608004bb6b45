import { describe, expect, it } from 'vitest';
import {
  newSubjectKey,
  parseMasterKeys,
  refKey,
  subjectHash,
  subjectRef,
  subjectToken,
  unwrapKey,
  UnwrapError,
  wrapKey,
  wrappedBy,
} from './crypto.js';

const master = parseMasterKeys('k2:second-master-secret-0123, k1:first-master-secret-0123');

describe('subject keys', () => {
  it('wrap with the current master key and unwrap with any configured one', () => {
    const key = newSubjectKey();
    const wrapped = wrapKey(key, 's_a/1', master);
    expect(wrappedBy(wrapped)).toBe('k2');
    expect(wrapped).not.toContain(key.toString('base64url'));
    expect(unwrapKey(wrapped, 's_a/1', master).equals(key)).toBe(true);
    // An old key stays readable while its master key is listed, and only then.
    const old = wrapKey(key, 's_a/1', parseMasterKeys('k1:first-master-secret-0123'));
    expect(unwrapKey(old, 's_a/1', master).equals(key)).toBe(true);
    expect(() => unwrapKey(old, 's_a/1', parseMasterKeys('k2:second-master-secret-0123'))).toThrow(
      /master key "k1", which is not configured/,
    );
  });

  it('refuse a wrapped key moved to another subject, or altered', () => {
    const wrapped = wrapKey(newSubjectKey(), 's_a/1', master);
    expect(() => unwrapKey(wrapped, 's_b/1', master)).toThrow(UnwrapError);
    const body = Buffer.from(wrapped.slice(3), 'base64url');
    body[20] = body[20]! ^ 1;
    expect(() => unwrapKey(`k2.${body.toString('base64url')}`, 's_a/1', master)).toThrow(
      /does not authenticate/,
    );
  });

  it('name the setting and the key when the master keys are badly configured', () => {
    expect(() => parseMasterKeys('')).toThrow(/SUBJECT_MASTER_KEYS: at least one/);
    expect(() => parseMasterKeys('k1:short')).toThrow(/key k1 needs at least 16 characters/);
    expect(() => parseMasterKeys('nocolon-but-long-enough')).toThrow(/each key is id:secret/);
    expect(() => parseMasterKeys('a:0123456789abcdef,a:0123456789abcdef')).toThrow(/listed twice/);
  });

  it('derive tokens from the key alone: another key, another token; no value goes in', () => {
    const a = newSubjectKey();
    const b = newSubjectKey();
    expect(subjectToken(a, 'user')).toMatch(/^t_[0-9a-f]{32}$/);
    expect(subjectToken(a, 'anonymous')).toMatch(/^h_[0-9a-f]{32}$/);
    expect(subjectToken(a, 'user')).toBe(subjectToken(Buffer.from(a), 'user'));
    expect(subjectToken(a, 'user')).not.toBe(subjectToken(b, 'user'));
    expect(subjectHash(a, 'ip', '10.0.0.1')).not.toBe(subjectHash(b, 'ip', '10.0.0.1'));
    expect(subjectHash(a, 'ip', '10.0.0.1')).not.toBe(subjectHash(a, 'order', '10.0.0.1'));
  });

  it('reference a subject per tenant and kind, stable for the same secret', () => {
    const acme = refKey('token-secret-0123456789', 'acme');
    const ref = subjectRef(acme, 'user', 'jane');
    expect(ref).toMatch(/^s_[0-9a-f]{32}$/);
    expect(subjectRef(refKey('token-secret-0123456789', 'acme'), 'user', 'jane')).toBe(ref);
    expect(subjectRef(acme, 'anonymous', 'jane')).not.toBe(ref);
    expect(subjectRef(refKey('token-secret-0123456789', 'globex'), 'user', 'jane')).not.toBe(ref);
  });
});
