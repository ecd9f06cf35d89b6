import type { Logger } from './logger';

export type Releaser = () => Promise<void> | void;

export interface Shutdown {
  /** Registers something to release; releasers run in reverse order of registration. */
  add(name: string, release: Releaser): void;
  /** Releases everything once; later calls wait for the first. */
  run(reason: string): Promise<void>;
  /** First SIGTERM/SIGINT shuts down gracefully; a second one exits at once. */
  installSignalHandlers(onDone: (exitCode: number) => void): void;
}

/**
 * Ordered shutdown. main.ts registers Redis first and HTTP last, so HTTP stops taking requests
 * first, then workers finish their active jobs, then queues and Redis close.
 * The whole sequence is bounded by `graceMs`; past it the process exits anyway.
 */
export function createShutdown(logger: Logger, graceMs: number): Shutdown {
  const releasers: { name: string; release: Releaser }[] = [];
  let running: Promise<void> | undefined;

  async function releaseAll(reason: string): Promise<void> {
    logger.info({ reason }, 'shutting down');
    for (const { name, release } of [...releasers].reverse()) {
      try {
        await release();
        logger.debug({ resource: name }, 'released');
      } catch (error) {
        logger.error({ err: error, resource: name }, 'release failed');
      }
    }
    logger.info('shutdown complete');
  }

  return {
    add(name, release) {
      releasers.push({ name, release });
    },
    run(reason) {
      running ??= releaseAll(reason);
      return running;
    },
    installSignalHandlers(onDone) {
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        signals += 1;
        if (signals > 1) {
          logger.warn({ signal }, 'second signal: exiting now');
          onDone(1);
          return;
        }
        const deadline = setTimeout(() => {
          logger.error({ graceMs }, 'shutdown took too long: exiting');
          onDone(1);
        }, graceMs);
        deadline.unref();
        void this.run(signal).then(() => {
          clearTimeout(deadline);
          onDone(0);
        });
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    },
  };
}
