import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';

/** thaw's logger at info level, writing its JSON lines into `lines` instead of stdout. */
export function capturingLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}
