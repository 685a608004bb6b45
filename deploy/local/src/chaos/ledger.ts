import { streamOf, type StreamName } from '@backbone/schemas';
import type { R1Event } from '../simulator/events.js';

/**
 * What the gateway answered during a chaos run: the events it accepted (202) per stream, and
 * every answer's status with its time, for the 503s of each fault's window.
 */
export class Ledger {
  readonly accepted = new Map<StreamName, Set<string>>();
  /** [time, status] of every answer (0: no answer). */
  readonly answers: [number, number][] = [];
  /** The first web event accepted after a moment, for the recovery probes. */
  private readonly probes: { after: number; found: (id: string) => void }[] = [];

  observe(events: readonly R1Event[], status: number, refused: ReadonlySet<number>): void {
    const now = Date.now();
    this.answers.push([now, status]);
    if (status !== 202) return;
    events.forEach((e, i) => {
      const stream = streamOf(e.event_type);
      if (!stream || refused.has(i)) return;
      let ids = this.accepted.get(stream);
      if (!ids) this.accepted.set(stream, (ids = new Set()));
      ids.add(e.event_id);
    });
    const web = events.find((e, i) => !refused.has(i) && streamOf(e.event_type) === 'web');
    if (!web) return;
    for (let i = this.probes.length - 1; i >= 0; i--) {
      const probe = this.probes[i]!;
      if (probe.after > now) continue;
      this.probes.splice(i, 1);
      probe.found(web.event_id);
    }
  }

  /** The id of the first web event accepted from `after` on. */
  firstAcceptedAfter(after: number): Promise<string> {
    return new Promise((found) => this.probes.push({ after, found }));
  }

  /** Answers in [from, to) by status. */
  statusesBetween(from: number, to: number): Map<number, number> {
    const out = new Map<number, number>();
    for (const [t, s] of this.answers) if (t >= from && t < to) out.set(s, (out.get(s) ?? 0) + 1);
    return out;
  }

  get total(): number {
    let n = 0;
    for (const ids of this.accepted.values()) n += ids.size;
    return n;
  }
}
