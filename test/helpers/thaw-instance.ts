import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { start } from '../../src/main';
import type { RunningThaw } from '../../src/main';
import type { StartOverrides } from '../../src/composition/shared';
import { baseTestEnv } from './env';

/** A thaw started through the real composition root, on an ephemeral port. */
export interface TestThaw extends RunningThaw {
  readonly app: FastifyInstance;
  readonly url: string;
  stop(): Promise<void>;
}

export async function startTestThaw(
  prefix: string,
  env: Record<string, string>,
  logDestination?: { write(line: string): void },
  overrides: StartOverrides = {},
): Promise<TestThaw> {
  const config = loadConfig({ ...baseTestEnv(prefix), ...env });
  const logger = createLogger({
    level: config.logLevel,
    ...(logDestination ? { destination: logDestination } : {}),
  });
  const running = await start(config, logger, overrides);
  if (!running.app) throw new Error('this role serves no HTTP');
  const address = running.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    ...running,
    app: running.app,
    url: `http://127.0.0.1:${port}`,
    stop: () => running.shutdown.run('test finished'),
  };
}
