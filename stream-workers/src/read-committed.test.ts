import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// kafkajs' read_committed filter, as patched (patches/kafkajs+2.2.4.patch).
const filterAborted = createRequire(import.meta.url)(
  'kafkajs/src/consumer/filterAbortedMessages.js',
) as (fetched: { messages: Message[]; abortedTransactions: Aborted[] }) => Message[];

interface Message {
  offset: string;
  key: Buffer | null;
  value: string;
  isControlRecord: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
}
interface Aborted {
  producerId: string;
  firstOffset: string;
}

const ABORT = Buffer.from([0, 0, 0, 0]);
const COMMIT = Buffer.from([0, 0, 0, 1]);

/** A partition's log: records and markers, each `[producer, value]` or `[producer, marker]`. */
function log(entries: [string, string | Buffer][]): Message[] {
  return entries.map(([producerId, v], offset) => ({
    offset: String(offset),
    key: Buffer.isBuffer(v) ? v : null,
    value: Buffer.isBuffer(v) ? '' : v,
    isControlRecord: Buffer.isBuffer(v),
    batchContext: { producerId, inTransaction: true },
  }));
}

const kept = (messages: Message[]) =>
  messages.filter((m) => !m.isControlRecord).map((m) => m.value);

describe('the read_committed filter of aborted transactions', () => {
  it('drops every aborted transaction when they ended in another order than they began', () => {
    const messages = log([
      ['7', 'a-aborted'],
      ['8', 'b-aborted'],
      ['9', 'c-committed'],
      ['8', ABORT],
      ['9', COMMIT],
      ['7', ABORT],
      ['7', 'a-committed'],
      ['7', COMMIT],
    ]);
    // As the broker lists them: in the order their abort markers were written.
    const abortedTransactions = [
      { producerId: '8', firstOffset: '1' },
      { producerId: '7', firstOffset: '0' },
    ];
    expect(kept(filterAborted({ messages, abortedTransactions }))).toEqual([
      'c-committed',
      'a-committed',
    ]);
  });

  it('enters every transaction begun before the first message fetched', () => {
    // A fetch from offset 2: both aborted transactions began before it.
    const messages = log([
      ['7', 'a-aborted-1'],
      ['8', 'b-aborted-1'],
      ['8', 'b-aborted-2'],
      ['7', 'a-aborted-2'],
      ['7', ABORT],
      ['8', ABORT],
    ]).slice(2);
    const abortedTransactions = [
      { producerId: '7', firstOffset: '0' },
      { producerId: '8', firstOffset: '1' },
    ];
    expect(kept(filterAborted({ messages, abortedTransactions }))).toEqual([]);
  });

  it('does not take a data record with an abort marker’s key bytes for the end of its transaction', () => {
    const messages = log([
      ['7', 'aborted-1'],
      ['7', 'aborted-2'],
      ['7', ABORT],
    ]);
    messages[0]!.key = Buffer.from(ABORT);
    expect(
      kept(
        filterAborted({ messages, abortedTransactions: [{ producerId: '7', firstOffset: '0' }] }),
      ),
    ).toEqual([]);
  });
});
