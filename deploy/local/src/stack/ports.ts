import { readFileSync } from 'node:fs';
import net from 'node:net';

/** True when nothing listens on host:port and we may bind it. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The first port of the kernel's ephemeral range (outgoing connections take ports from it). */
function ephemeralLow(): number {
  try {
    return (
      Number(
        readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
      ) || 32768
    );
  } catch {
    return 32768;
  }
}

/** Asks the kernel for any free port (from the ephemeral range). */
function kernelPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/**
 * A port that is free now, chosen below the ephemeral range: a port the kernel hands out for
 * binding to 0 can meanwhile become the local port of an outgoing connection, and the
 * process meant to listen on it (Kafka starts seconds later) would then fail to bind.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const high = Math.min(ephemeralLow(), 32768);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20000 + Math.floor(Math.random() * (high - 20000));
    if (await isPortFree(port, host)) return port;
  }
  return kernelPort(host);
}

/** True when something accepts TCP connections on host:port. */
export function isListening(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
