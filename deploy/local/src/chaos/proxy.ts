import net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  /** Bytes went to the target since its last answer: a request is under way. */
  awaiting: boolean;
}

/**
 * A TCP proxy between a service and one of its dependencies, for fault injection:
 * `setCut` makes the dependency unreachable (open connections reset, new ones refused),
 * `setStalled` holds every byte in both directions (a network that stops moving). `busy`
 * says whether a request is under way through it.
 */
export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private cutOn = false;
  private stalledOn = false;
  private readonly server: net.Server;
  private listening = 0;

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.accept(client));
  }

  /** Listens on a free port of 127.0.0.1 and forwards to `target`. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', resolve);
    });
    proxy.listening = (proxy.server.address() as net.AddressInfo).port;
    return proxy;
  }

  get port(): number {
    return this.listening;
  }

  private accept(client: net.Socket): void {
    if (this.cutOn) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.target);
    const pair: Pair = { client, upstream, awaiting: false };
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => {
      pair.awaiting = true;
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('data', (chunk) => {
      pair.awaiting = false;
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => !this.stalledOn && upstream.resume());
    upstream.on('drain', () => !this.stalledOn && client.resume());
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
    }
    if (this.stalledOn) {
      client.pause();
      upstream.pause();
    }
  }
  /** Unreachable while on: open connections are reset, new ones refused. */
  setCut(on: boolean): void {
    this.cutOn = on;
    if (on) {
      for (const p of this.pairs) {
        p.client.resetAndDestroy();
        p.upstream.destroy();
      }
      this.pairs.clear();
    }
  }

  /** While on, nothing moves either way; connections stay open. */
  setStalled(on: boolean): void {
    this.stalledOn = on;
    for (const p of this.pairs) {
      if (on) {
        p.client.pause();
        p.upstream.pause();
      } else {
        p.client.resume();
        p.upstream.resume();
      }
    }
  }

  /** A request went through and its answer has not come back yet. */
  get busy(): boolean {
    for (const p of this.pairs) if (p.awaiting) return true;
    return false;
  }

  async close(): Promise<void> {
    this.setCut(true);
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
