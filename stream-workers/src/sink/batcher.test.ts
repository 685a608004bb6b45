import { describe, expect, it } from 'vitest';
import type { KafkaMessage } from 'kafkajs';
import { InsertTurns, PartitionBatch, SPACED_BELOW_ROWS } from './batcher.js';

const message = (offset: number) => ({ offset: String(offset) }) as KafkaMessage;

/** A partition's batch of `rows` records whose oldest row was read at `since`. */
function batch(stream: 'web' | 'stt.transcript', partition: number, rows: number, since: number) {
  const p = new PartitionBatch(`events.${stream}`, partition, stream);
  for (let i = 0; i < rows; i++) p.add(BigInt(i), message(i));
  p.since = since;
  return p;
}
const names = (ps: PartitionBatch[]) => ps.map((p) => `${p.stream}/${p.partition}`);

describe('insert turns: one insert of a small batch per table and interval', () => {
  it('lets the oldest aged batch of each table go, and the others wait for later turns', () => {
    const turns = new InsertTurns(1000);
    const aged = [
      batch('web', 1, 5, 300),
      batch('web', 0, 5, 100),
      batch('web', 2, 5, 200),
      batch('stt.transcript', 0, 3, 250),
    ];
    expect(names(turns.due(aged, 10_000))).toEqual(['web/0', 'stt.transcript/0']);
    // Within the interval nothing more of either table, however long the batches wait.
    expect(turns.due(aged.slice(0, 1).concat(aged[2]!), 10_999)).toEqual([]);
    // The next turn goes to the oldest of those left, an interval after the insert was over.
    turns.finished(aged[1]!, 10_000);
    turns.finished(aged[3]!, 10_000);
    expect(names(turns.due([aged[0]!, aged[2]!], 11_000))).toEqual(['web/2']);
    turns.finished(aged[2]!, 11_000);
    expect(names(turns.due([aged[0]!], 12_000))).toEqual(['web/1']);
  });

  it('gives no turn while the last one’s insert is not over, and counts the interval from its end', () => {
    const turns = new InsertTurns(1000);
    const first = batch('web', 0, 5, 100);
    const second = batch('web', 1, 5, 200);
    expect(names(turns.due([first, second], 10_000))).toEqual(['web/0']);
    // The first insert waits behind others for 1.5 s: no second turn meanwhile …
    expect(turns.due([second], 11_200)).toEqual([]);
    turns.finished(first, 11_500);
    // … and the next an interval after it ended, not after it was granted.
    expect(turns.due([second], 12_000)).toEqual([]);
    expect(names(turns.due([second], 12_500))).toEqual(['web/1']);
    // A batch that did not hold the turn does not end it.
    turns.finished(first, 12_600);
    expect(turns.due([batch('web', 2, 5, 0)], 14_000)).toEqual([]);
  });

  it('lets a batch that has paid for its insert go at once, and counts it as its table’s turn', () => {
    const turns = new InsertTurns(1000);
    const big = batch('web', 0, SPACED_BELOW_ROWS, 100);
    const small = batch('web', 1, 10, 50);
    expect(names(turns.due([small, big], 5_000))).toEqual(['web/1', 'web/0']);
    // A full batch the reader inserted itself takes the turn too.
    turns.took('stt.transcript', 6_000);
    expect(turns.due([batch('stt.transcript', 1, 4, 0)], 6_500)).toEqual([]);
    expect(turns.due([batch('stt.transcript', 1, 4, 0)], 7_000)).toHaveLength(1);
  });

  it('lets the batch of a partition with a backlog go out of turn: a sink catching up is not slowed', () => {
    const turns = new InsertTurns(1000);
    const trickle = batch('web', 0, 10, 100);
    const backlog = batch('web', 1, 3_000, 200);
    backlog.behind = true;
    expect(names(turns.due([trickle, backlog], 5_000))).toEqual(['web/0', 'web/1']);
    backlog.behind = false;
    expect(turns.due([backlog], 5_500)).toEqual([]);
  });

  it('spaces nothing with an interval of 0', () => {
    const turns = new InsertTurns(0);
    const aged = [batch('web', 0, 1, 1), batch('web', 1, 1, 2), batch('web', 2, 1, 3)];
    expect(turns.due(aged, 10)).toHaveLength(3);
  });
});

describe('what a partition has read', () => {
  it('skips records already committed, and reads again what a new generation must', () => {
    const p = new PartitionBatch('events.web', 0, 'web');
    for (const o of [10, 11, 12]) p.add(BigInt(o), message(o));
    expect(p.has(11n)).toBe(true);
    p.durable();
    // A late fetch from a leader that has since moved hands 10..12 over again: not re-read.
    expect([9n, 10n, 12n].map((o) => p.has(o))).toEqual([true, true, true]);
    expect(p.has(13n)).toBe(false);
    for (const o of [13, 14]) p.add(BigInt(o), message(o));
    // A rejoin drops what is buffered and not committed: 13 and 14 are read again.
    p.reset();
    expect([12n, 13n, 14n].map((o) => p.has(o))).toEqual([true, false, false]);
  });
});
