import { randomBytes } from 'node:crypto';
import {
  Partitioners,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type Producer,
} from 'kafkajs';
import type { Logger } from '@backbone/runtime';
import {
  newSubjectKey,
  subjectToken,
  UnwrapError,
  unwrapKey,
  wrapKey,
  type MasterKeys,
  type SubjectKind,
  subjectRefs,
} from './crypto.js';
import { ReadPositions } from './positions.js';
import { TokenIndex } from './token-index.js';
import { ensureSubjectTopics, type SubjectTopics } from './topics.js';

/** What enrich needs of the subject keys (the store, or a test's keys in memory). */
export interface SubjectKeys {
  ref(tenant: string, kind: SubjectKind, id: string): string;
  keyOf(ref: string): Buffer | undefined;
  /** When the subject was last erased, if it was. */
  erasedAt(ref: string): number | undefined;
  prepare(subjects: Iterable<SubjectId & { at: number }>): Promise<void>;
}

/**
 * What the sink needs to read encrypted text (docs/privacy.md#erasure): a subject's key by the
 * token an event carries for it, `erased` when the token's subject was erased, undefined when
 * no key is known (yet: `catchUp` reads the topics to their ends).
 */
export interface TextKeys {
  keyOfToken(token: string): Buffer | 'erased' | undefined;
  catchUp(): Promise<void>;
}

/** A subject as enrich meets it: its reference, and what it needs to create a key. */
export interface SubjectId {
  ref: string;
  tenant: string;
  kind: SubjectKind;
}

/** A ledger entry: the subject is erased as of `erasedAt`, and these tokens stood for it. */
export interface Erasure {
  tenant: string;
  kind: SubjectKind;
  erasedAt: number;
  tokens: string[];
  requestId: string;
}

interface KeyRecord {
  tenant: string;
  kind: SubjectKind;
  wrapped: string;
  created_at: number;
}

export interface SubjectStoreOptions {
  kafka: Kafka;
  topics: SubjectTopics;
  master: MasterKeys;
  /** The secret subject references are derived from (enrich's TOKEN_KEY); none: keys by token only. */
  refSecret?: string;
  /** Names the store's reader (a group of its own that commits nothing). */
  instanceId: string;
  logger: Logger;
  /** How long start() and catchUp() wait for the topics' ends. */
  timeoutMs?: number;
}

/**
 * The subject keys and the erasure ledger, read from their compacted topics into memory by
 * every worker that needs them (docs/privacy.md#erasure). A subject's key is created by
 * whichever enrich instance first meets the subject; two instances meeting a new subject at
 * once both write one, and everyone uses the one with the lowest key id among the live ones
 * (each is kept until the subject is erased, so the tokens of either stay erasable).
 */
export class SubjectStore implements SubjectKeys, TextKeys {
  /** ref → key id → wrapped key. */
  private readonly keys = new Map<string, Map<string, string>>();
  private readonly erased = new Map<string, Erasure>();
  /** Refs whose last key was tombstoned (their ledger entry may still be on its way). */
  private readonly shredded = new Set<string>();
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private admin: Admin | undefined;
  private failed: Error | undefined;
  /** Unwrapped keys of the subjects met lately (the wrapped form is bound to `<ref>/<id>`). */
  private readonly unwrapped = new Map<string, Buffer>();
  /** Keys by token, for the sink's encrypted text: built on first use. */
  private tokens: TokenIndex | undefined;
  private readonly positions: ReadPositions;
  private readonly refs: ReturnType<typeof subjectRefs>;

  constructor(private readonly options: SubjectStoreOptions) {
    this.positions = new ReadPositions(options.timeoutMs ?? 30_000, () => this.failed);
    this.refs = options.refSecret
      ? subjectRefs(options.refSecret)
      : () => {
          throw new Error('this subject store reads keys by token only (it has no TOKEN_KEY)');
        };
  }

  /** Reads both topics to their ends before it returns. */
  async start(): Promise<void> {
    const { kafka, topics, instanceId } = this.options;
    this.admin = kafka.admin();
    await this.admin.connect();
    await ensureSubjectTopics(this.admin, topics);
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.producer.connect();
    this.consumer = kafka.consumer({
      groupId: `backbone-subjects-${instanceId}-${randomBytes(4).toString('hex')}`,
      // A long poll returns as soon as a key is written; idle, it asks every 3 s.
      maxWaitTimeInMs: 3000,
      // A reader per process: leaving at once lets the broker forget the group.
      sessionTimeout: 10_000,
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      if (!e.payload.restart) this.failed = e.payload.error;
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.positions.joined());
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topics.keys, topics.erasures], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: (p) => Promise.resolve(this.read(p)),
    });
    await this.catchUp();
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    await this.admin?.disconnect();
  }

  /** The reader runs and has not failed for good. */
  get live(): boolean {
    return this.consumer !== undefined && this.failed === undefined;
  }

  /** How many subjects have a key, and how many are erased (metrics, the docs' sizing). */
  get size(): { subjects: number; erased: number } {
    return { subjects: this.keys.size, erased: this.erased.size };
  }

  /** A subject's reference: a tenant's keyed hash of kind and id. */
  ref(tenant: string, kind: SubjectKind, id: string): string {
    return this.refs(tenant, kind, id);
  }

  /** The subject's key (the live one with the lowest id), or none. */
  keyOf(ref: string): Buffer | undefined {
    const live = this.keys.get(ref);
    if (!live || live.size === 0) return undefined;
    let id: string | undefined;
    for (const candidate of live.keys()) if (id === undefined || candidate < id) id = candidate;
    return this.unwrap(`${ref}/${id!}`);
  }

  private unwrap(name: string): Buffer {
    let key = this.unwrapped.get(name);
    if (key) return key;
    const [ref, id] = name.split('/') as [string, string];
    key = unwrapKey(this.keys.get(ref)!.get(id)!, name, this.options.master);
    if (this.unwrapped.size >= 100_000) this.unwrapped.delete(this.unwrapped.keys().next().value!);
    this.unwrapped.set(name, key);
    return key;
  }

  /** Every live key of a subject, by key id, with when it was made. */
  liveKeys(ref: string): { id: string; key: Buffer; createdAt: number }[] {
    return [...(this.keys.get(ref)?.keys() ?? [])].map((id) => ({
      id,
      key: this.unwrap(`${ref}/${id}`),
      createdAt: this.records.get(`${ref}/${id}`)?.created_at ?? 0,
    }));
  }

  keyOfToken(token: string): Buffer | 'erased' | undefined {
    if (!this.tokens) {
      this.tokens = new TokenIndex();
      for (const [name, record] of this.records) this.indexKey(name, record.kind);
      for (const e of this.erased.values()) this.tokens.addErased(e.tokens);
    }
    const found = this.tokens.lookup(token);
    if (found === undefined) return undefined;
    return typeof found === 'string' ? this.unwrap(found) : 'erased';
  }

  /** Indexes a key by its token, once the index is in use; a key no master key opens is left out. */
  private indexKey(name: string, kind: SubjectKind): void {
    try {
      this.tokens?.add(name, subjectToken(this.unwrap(name), kind));
    } catch (err) {
      if (!(err instanceof UnwrapError)) throw err;
    }
  }

  erasedAt(ref: string): number | undefined {
    return this.erased.get(ref)?.erasedAt;
  }

  /** The subject's ledger entry, if it was erased. */
  erasure(ref: string): Erasure | undefined {
    return this.erased.get(ref);
  }

  /**
   * Makes sure each subject has a key, unless it was erased after `at` (a record from before
   * its erasure gets none: it is dropped). New keys are written, and the topics read up to
   * them, before this returns: every instance then agrees on which key a subject has.
   */
  async prepare(subjects: Iterable<SubjectId & { at: number }>): Promise<void> {
    let missing = [...subjects].filter((s) => !this.keys.get(s.ref)?.size);
    if (missing.length === 0) return;
    // Another batch of this process is making some of these keys: wait for it, make the rest.
    const making = new Set(
      missing.flatMap((s) => (this.making.has(s.ref) ? [this.making.get(s.ref)!] : [])),
    );
    if (making.size > 0) {
      await Promise.allSettled(making);
      missing = missing.filter((s) => !this.keys.get(s.ref)?.size);
      if (missing.length === 0) return;
    }
    const made = this.make(missing);
    for (const s of missing) this.making.set(s.ref, made);
    try {
      await made;
    } finally {
      for (const s of missing) if (this.making.get(s.ref) === made) this.making.delete(s.ref);
    }
  }

  /** Subject keys being written by this process, by subject. */
  private readonly making = new Map<string, Promise<void>>();

  private async make(subjects: (SubjectId & { at: number })[]): Promise<void> {
    let missing = subjects;
    // A subject whose key was just shredded has its ledger entry written first: read it.
    if (missing.some((s) => this.shredded.has(s.ref))) await this.catchUp();
    missing = missing.filter((s) => {
      const e = this.erased.get(s.ref);
      return !this.keys.get(s.ref)?.size && !(e && s.at <= e.erasedAt);
    });
    if (missing.length === 0) return;
    const unique = new Map(missing.map((s) => [s.ref, s]));
    const messages = [...unique.values()].map((s) => {
      const id = randomBytes(8).toString('hex');
      const value: KeyRecord = {
        tenant: s.tenant,
        kind: s.kind,
        wrapped: wrapKey(newSubjectKey(), `${s.ref}/${id}`, this.options.master),
        created_at: Date.now(),
      };
      return { key: `${s.ref}/${id}`, value: JSON.stringify(value) };
    });
    const written = await this.producer!.send({
      topic: this.options.topics.keys,
      acks: -1,
      messages,
    });
    // Read up to the records just written (and whatever a competitor wrote before them).
    const targets = new Map<string, bigint>();
    for (const r of written) {
      const tp = `${r.topicName}:${r.partition}`;
      const next = BigInt(r.baseOffset ?? '0') + 1n;
      if (next > (targets.get(tp) ?? 0n)) targets.set(tp, next);
    }
    await this.positions.reach(targets, false);
  }

  /** Writes a ledger entry (before the subject's keys are tombstoned). */
  async recordErasure(ref: string, entry: Erasure): Promise<void> {
    await this.producer!.send({
      topic: this.options.topics.erasures,
      acks: -1,
      messages: [{ key: ref, value: JSON.stringify(entry) }],
    });
  }

  /** Tombstones keys of a subject: from then on no one can derive its tokens. */
  async shred(ref: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.producer!.send({
      topic: this.options.topics.keys,
      acks: -1,
      messages: ids.map((id) => ({ key: `${ref}/${id}`, value: null })),
    });
  }

  /**
   * Re-wraps every live key with the current master key (rotation: the topic is not
   * rewritten, each key gets a newer record under its own name). How many were re-wrapped.
   */
  async rewrap(): Promise<number> {
    await this.catchUp();
    const { master } = this.options;
    const batch: { key: string; value: string }[] = [];
    for (const [ref, live] of this.keys)
      for (const [id, wrapped] of live) {
        if (wrapped.startsWith(`${master.current}.`)) continue;
        const name = `${ref}/${id}`;
        const rewrapped = wrapKey(this.unwrap(name), name, master);
        batch.push({
          key: name,
          value: JSON.stringify({ ...this.records.get(name)!, wrapped: rewrapped }),
        });
      }
    for (let i = 0; i < batch.length; i += 500)
      await this.producer!.send({
        topic: this.options.topics.keys,
        acks: -1,
        messages: batch.slice(i, i + 500),
      });
    await this.catchUp();
    return batch.length;
  }

  /** The key records by name, for re-wrapping (tenant and kind are kept as they were). */
  private readonly records = new Map<string, Omit<KeyRecord, 'wrapped'>>();

  /** Resolves once the reader has read both topics up to where they end now. */
  async catchUp(): Promise<void> {
    const { topics } = this.options;
    const targets = new Map<string, bigint>();
    for (const topic of [topics.keys, topics.erasures])
      for (const p of await this.admin!.fetchTopicOffsets(topic))
        if (BigInt(p.high) > 0n) targets.set(`${topic}:${p.partition}`, BigInt(p.high));
    await this.positions.reach(targets, true);
  }

  private read({ batch }: EachBatchPayload): void {
    const { topics, logger } = this.options;
    for (const m of batch.messages) {
      const key = m.key?.toString('utf8') ?? '';
      if (batch.topic === topics.keys) {
        const slash = key.indexOf('/');
        const [ref, id] = [key.slice(0, slash), key.slice(slash + 1)];
        let live = this.keys.get(ref);
        if (m.value === null) {
          this.tokens?.remove(key);
          live?.delete(id);
          this.records.delete(key);
          this.unwrapped.delete(key);
          if (live && live.size === 0) {
            this.keys.delete(ref);
            this.shredded.add(ref);
          }
          continue;
        }
        const record = JSON.parse(m.value.toString('utf8')) as KeyRecord;
        if (!live) this.keys.set(ref, (live = new Map<string, string>()));
        live.set(id, record.wrapped);
        this.records.set(key, {
          tenant: record.tenant,
          kind: record.kind,
          created_at: record.created_at,
        });
        this.unwrapped.delete(key);
        this.indexKey(key, record.kind);
      } else if (m.value !== null) {
        try {
          const entry = JSON.parse(m.value.toString('utf8')) as Erasure;
          this.erased.set(key, entry);
          this.tokens?.addErased(entry.tokens);
        } catch {
          logger.warn(
            { topic: batch.topic, offset: m.offset },
            'an unreadable erasure ledger record',
          );
        }
      }
    }
    const last = batch.messages.at(-1);
    const next = last ? BigInt(last.offset) + 1n : BigInt(batch.highWatermark);
    this.positions.advance(`${batch.topic}:${batch.partition}`, next);
  }
}
