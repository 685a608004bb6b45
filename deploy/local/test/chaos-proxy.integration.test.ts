import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../src/chaos/proxy.js';

// A server that answers each chunk with it upper-cased, only when it holds a full line.
let server: net.Server;
let proxy: TcpProxy;
beforeAll(async () => {
  server = net.createServer((s) => {
    let held = '';
    s.on('data', (d) => {
      held += d.toString();
      if (held.endsWith('\n')) {
        s.write(held.toUpperCase());
        held = '';
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy = await TcpProxy.start({
    host: '127.0.0.1',
    port: (server.address() as net.AddressInfo).port,
  });
});
afterAll(async () => {
  await proxy.close();
  await new Promise((r) => server.close(r));
});

const connect = () =>
  new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(proxy.port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
const answer = (s: net.Socket, ms: number) =>
  new Promise<string | undefined>((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms);
    s.once('data', (d) => {
      clearTimeout(t);
      resolve(d.toString());
    });
  });

describe('the chaos TCP proxy', () => {
  it('forwards both ways and knows when a request waits for its answer', async () => {
    const s = await connect();
    s.write('half');
    await new Promise((r) => setTimeout(r, 50));
    expect(proxy.busy).toBe(true);
    s.write(' a line\n');
    expect(await answer(s, 2000)).toBe('HALF A LINE\n');
    expect(proxy.busy).toBe(false);
    s.destroy();
  });

  it('stalls: nothing moves until it is healed, then everything arrives', async () => {
    const s = await connect();
    proxy.setStalled(true);
    s.write('held\n');
    expect(await answer(s, 500)).toBeUndefined();
    proxy.setStalled(false);
    expect(await answer(s, 2000)).toBe('HELD\n');
    s.destroy();
  });

  it('cuts: open connections are reset and new ones refused until healed', async () => {
    const open = await connect();
    const closed = new Promise((r) => open.once('close', r));
    open.on('error', () => undefined);
    proxy.setCut(true);
    await closed;
    const refused = await connect()
      .then(
        (s) =>
          new Promise<boolean>((r) => {
            s.on('error', () => undefined);
            s.once('close', () => r(true));
            s.write('x\n');
          }),
      )
      .catch(() => true);
    expect(refused).toBe(true);
    proxy.setCut(false);
    const s = await connect();
    s.write('back\n');
    expect(await answer(s, 2000)).toBe('BACK\n');
    s.destroy();
  });
});
