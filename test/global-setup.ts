import { spawn, spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';

/**
 * The tests need a real Redis on 127.0.0.1:6379. When none answers and `redis-server` is
 * installed, one is started here for the run (no persistence) and stopped in global-teardown.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_REDIS_URL || (await answers(6379))) return;
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (found.error || found.status !== 0) {
    throw new Error(
      'No Redis answers on 127.0.0.1:6379 and redis-server is not installed: ' +
        'run `docker compose up -d redis`, or install it (apt-get install redis-server / brew install redis).',
    );
  }
  const child = spawn(
    'redis-server',
    ['--port', '6379', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
      detached: false,
    },
  );
  (globalThis as { __THAW_TEST_REDIS__?: typeof child }).__THAW_TEST_REDIS__ = child;
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (await answers(6379)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('started redis-server but it does not answer on 127.0.0.1:6379');
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
