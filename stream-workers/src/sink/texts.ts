import type { KafkaMessage } from 'kafkajs';
import { memoize } from '@backbone/runtime';
import { contractLeaves, type StreamName } from '@backbone/schemas';
import {
  decryptText,
  encryptedTextKind,
  TEXT_PREFIX,
  textAad,
  UnwrapError,
} from '../subjects/crypto.js';
import type { TextKeys } from '../subjects/store.js';

/**
 * The sink cannot read a record's encrypted text: it runs without the subject keys, or the
 * key of a subject that was not erased is missing. Retrying does not fix it by itself: the
 * partition waits for an operator (/ready names it), then goes on.
 */
export class SubjectTextError extends Error {
  readonly action =
    'give the sink the enrich workers’ SUBJECT_MASTER_KEYS and SUBJECT_TOPIC_PREFIX (docs/privacy.md#erasure)';
}

/** Streams with critical free text that enrich may keep (redacted) and encrypts: transcripts. */
export const sealsText = memoize(
  (stream: StreamName): boolean =>
    contractLeaves(stream, 'events').some(
      (l) => l.privacy === 'critical' && l.contract === 'free_text',
    ),
  16,
);

const MARK = Buffer.from(TEXT_PREFIX, 'utf8');

/** Whether a batch holds encrypted text: such a batch is decoded here, where the keys are. */
export const holdsSealedText = (stream: StreamName, messages: readonly KafkaMessage[]): boolean =>
  sealsText(stream) && messages.some((m) => m.value !== null && m.value.includes(MARK));

interface Decoded {
  envelope: {
    tenant_id: string;
    event_id: string;
    user_id: string | null;
    anonymous_id: string | null;
  };
  payload: Record<string, Record<string, unknown>>;
}

/**
 * Decrypts, in place, the encrypted text of a decoded events.* value with its subject's key.
 * The text of an erased subject becomes null (its row is left out anyway); a value that does
 * not authenticate too, counted by `onForged`.
 */
export async function openTexts(
  value: unknown,
  keys: TextKeys | undefined,
  onForged: () => void,
): Promise<void> {
  const { envelope, payload } = value as Decoded;
  const branch = Object.values(payload)[0];
  if (!branch) return;
  for (const [field, text] of Object.entries(branch)) {
    if (typeof text !== 'string') continue;
    const kind = encryptedTextKind(text);
    if (!kind) continue;
    if (!keys)
      throw new SubjectTextError(
        'a record holds text encrypted with its subject’s key, and the sink has no subject keys',
      );
    const token = kind === 'user' ? envelope.user_id : envelope.anonymous_id;
    let key = token === null ? undefined : keys.keyOfToken(token);
    if (key === undefined && token !== null) {
      // A key written just before its event: read the topics to their ends once.
      await keys.catchUp();
      key = keys.keyOfToken(token);
    }
    if (key === 'erased') {
      branch[field] = null;
      continue;
    }
    if (key === undefined)
      throw new SubjectTextError(
        `no subject key opens the ${field} of event ${envelope.event_id} (tenant ${envelope.tenant_id})`,
      );
    try {
      branch[field] = decryptText(key, textAad(envelope.tenant_id, envelope.event_id), text);
    } catch (err) {
      if (!(err instanceof UnwrapError)) throw err;
      branch[field] = null;
      onForged();
    }
  }
}
