import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 standing in for the reverse proxy in front of thaw. PUBLIC_BASE_URL
 * must be known before thaw starts, and thaw picks its own port when it starts; holding the
 * relay's port first and pointing it at thaw afterwards joins the two without a race (finding a
 * "free" port, closing it and hoping thaw gets it can lose it to another process).
 */
export interface LoopbackRelay {
  /** `http://127.0.0.1:<relay port>`: use it as PUBLIC_BASE_URL and in the browser. */
  readonly url: string;
  /** Where connections go from now on. */
  forwardTo(port: number): void;
  close(): Promise<void>;
}

export async function startLoopbackRelay(): Promise<LoopbackRelay> {
  let target: number | undefined;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    if (target === undefined) {
      client.destroy();
      return;
    }
    const upstream = connect(target, '127.0.0.1');
    track(upstream);
    // Either side failing ends both: a half-open pair would hold the browser's request forever.
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.once('error', end);
    upstream.once('error', end);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwardTo(next) {
      target = next;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
