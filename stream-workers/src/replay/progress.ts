/** events done of total, rate and ETA; one line every 2 s when not interactive. */
export class Progress {
  private readonly began = Date.now();
  private lastLine = 0;
  constructor(private readonly out?: { write: (s: string) => void; interactive: boolean }) {}

  update(done: number, total: number) {
    if (!this.out) return;
    const secs = (Date.now() - this.began) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const eta = rate > 0 ? Math.max(0, (total - done) / rate) : 0;
    const pct = total > 0 ? Math.min(1, done / total) : 1;
    const bar = '#'.repeat(Math.round(pct * 30)).padEnd(30, '.');
    const line = `[${bar}] ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} events  ${Math.round(rate).toLocaleString('en-US')}/s  ETA ${eta.toFixed(0)} s`;
    if (this.out.interactive) this.out.write(`\r${line}`);
    else if (Date.now() - this.lastLine >= 2000) {
      this.out.write(`${line}\n`);
      this.lastLine = Date.now();
    }
  }

  done() {
    if (this.out?.interactive) this.out.write('\n');
  }
}
