#!/usr/bin/env node
/**
 * `thaw` — the operator's command line. The service itself starts with `node dist/main.js` (or
 * `thaw serve|api|worker`); everything else is a subcommand here.
 */
import type { main as startService } from '../main';
import { runFailed } from './failed-command';
import { runPreview } from './preview-command';
import { runSending } from './sending-command';
import { SETUP_SUMMARY, runSetup } from './setup-command';
import { runSimulate } from './simulate-command';

type Command = (argv: string[], io: { out: (line: string) => void }) => Promise<number>;

const COMMANDS: Record<string, { readonly summary: string; readonly run: Command }> = {
  preview: { summary: 'render every email template with sample data to files', run: runPreview },
  simulate: { summary: 'send signed SNS deliveries of S3 restore events to a thaw', run: runSimulate },
  failed: { summary: 'list, retry or drop failed jobs', run: (argv, io) => runFailed(argv, io) },
  sending: { summary: 'see, pause or resume email sending', run: (argv, io) => runSending(argv, io) },
  setup: { summary: SETUP_SUMMARY, run: (argv, io) => runSetup(argv, io) },
};

const SERVICE_ROLES = new Set(['serve', 'api', 'worker']);

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length), 'serve|api|worker'.length);
  return [
    'Usage: thaw <command> [options]   (thaw <command> --help for its options)',
    '',
    `  ${'serve|api|worker'.padEnd(width)}  run the service in that role (same as node dist/main.js <role>)`,
    ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
  ].join('\n');
}

export async function runCli(argv: string[], io: { out: (line: string) => void }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.out(`thaw: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return command.run(rest, io);
}

if (require.main === module) {
  const [role] = process.argv.slice(2);
  if (role !== undefined && SERVICE_ROLES.has(role)) {
    // Loaded only for the service roles: the other commands need none of its dependencies.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    void (require('../main') as { main: typeof startService }).main();
  } else {
    runCli(process.argv.slice(2), { out: (line) => console.log(line) }).then(
      (code) => process.exit(code),
      (error: unknown) => {
        console.error('thaw:', error instanceof Error ? error.message : error);
        process.exit(1);
      },
    );
  }
}
