import type { AddressInfo } from 'node:net';
import startEmulator from 'aws-ses-v2-local';
import { z } from 'zod';

/**
 * aws-ses-v2-local run in this process on 127.0.0.1 and a free port, for the SES happy path
 * through the real SDK (STYLE.md rule 13).
 *
 * What the emulator does and does not do (aws-ses-v2-local 2.10, read from its source):
 * - SendEmail (v2) stores from, to/cc/bcc, reply-to, subject, html, text, headers, attachments.
 * - It accepts but neither stores nor checks `EmailTags` and `ConfigurationSetName`.
 * - It does not validate addresses (only SendBulkEmail does); "x" is a fine From for it.
 * - Its 400 answers name no error type, so the SDK throws `name: 'Unknown'` with HTTP 400.
 * - It wants an `Authorization: AWS...` header (any credentials) but verifies no signature.
 * - Its store is a module-level singleton: two emulators started from one test file share it.
 *   Jest gives every test file its own module registry, so files do not see each other's mail.
 */

const storedEmailSchema = z.object({
  messageId: z.string(),
  from: z.string(),
  replyTo: z.array(z.string()),
  destination: z.object({ to: z.array(z.string()), cc: z.array(z.string()), bcc: z.array(z.string()) }),
  subject: z.string(),
  body: z.object({ html: z.string().optional(), text: z.string().optional() }),
  /** Epoch seconds when the emulator stored it. */
  at: z.number(),
});

const storeSchema = z.object({ emails: z.array(storedEmailSchema) });

/** One email as the emulator stored it (`GET /store`), reduced to what tests assert on. */
export type StoredEmail = z.infer<typeof storedEmailSchema>;

export interface SesEmulator {
  /** Base URL for `createSesClient({ endpoint })`, e.g. `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  /** Every email stored since the last `clear()`, oldest first. */
  emails(): Promise<StoredEmail[]>;
  /** Empties the (shared) store: emails and templates. */
  clear(): Promise<void>;
  /** Closes the server and every socket still open to it (SDK clients keep connections alive). */
  stop(): Promise<void>;
}

export async function startSesEmulator(): Promise<SesEmulator> {
  // Port 0: the OS picks a free port, so parallel test files never collide.
  const server = await startEmulator({ host: '127.0.0.1', port: 0 });
  const address = server.address() as AddressInfo | string | null;
  if (address === null || typeof address === 'string') {
    server.close();
    throw new Error(`aws-ses-v2-local did not bind a TCP port (address: ${String(address)})`);
  }
  const endpoint = `http://127.0.0.1:${address.port}`;

  async function call(method: 'GET' | 'POST', path: string): Promise<unknown> {
    const response = await fetch(`${endpoint}${path}`, { method });
    const body: unknown = await response.json();
    if (!response.ok) throw new Error(`aws-ses-v2-local ${method} ${path} answered ${response.status}`);
    return body;
  }

  return {
    endpoint,
    async emails() {
      return storeSchema.parse(await call('GET', '/store')).emails;
    },
    async clear() {
      await call('POST', '/clear-store');
    },
    stop() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // close() only stops accepting; keep-alive sockets would hold the port (and Jest) open.
        server.closeAllConnections();
      });
    },
  };
}
