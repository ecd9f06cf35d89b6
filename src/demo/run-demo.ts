#!/usr/bin/env node
/**
 * `npm run demo`: thaw end to end on one machine, with no AWS account. It starts thaw against the
 * local Redis (or a private redis-server), a local SES emulator whose web page shows the emails,
 * and a local S3 emulator holding a sample object; registers a restore request; then plays the
 * S3 → SNS side with correctly signed SNS deliveries of "restore initiated" and "restore
 * completed". `--once` exits when both emails are in the emulator (0) or with the reason (1).
 * Ctrl-C stops everything it started. Uses development dependencies (run it from the repository).
 */
import { DemoRun } from './demo-run';
import { findRedis, startS3, startSes, startSnsSigner, useEmulatorCredentials } from './emulators';
import { playRestore, registerRequest } from './play-restore';
import { startThaw } from './start-thaw';
import { printWhereToLook } from './where-to-look';

const ONCE = process.argv.includes('--once');

async function main(run: DemoRun): Promise<number> {
  if (process.argv.includes('--help')) {
    console.log(
      'Usage: npm run demo [-- --once]\n\nRuns thaw with local Redis, SES and S3 emulators and plays one restore.',
    );
    return 0;
  }
  useEmulatorCredentials();
  const redis = await findRedis(run);
  if (redis === undefined) return 1;
  const sesUrl = await startSes(run);
  const s3Url = await startS3(run);
  const signer = await startSnsSigner(run);
  const thaw = await startThaw(run, { redis, sesUrl, s3Url });
  const id = await registerRequest(run, thaw);
  await playRestore(run, thaw, signer, sesUrl);
  await printWhereToLook(thaw, sesUrl, id);
  if (ONCE) return 0;
  console.log('\nRunning until Ctrl-C.');
  await untilInterrupted();
  return 0;
}

function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

const run = new DemoRun();
main(run)
  .catch((error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  })
  .then(async (code) => {
    await run.stopAll();
    if (code === 0) console.log(ONCE ? 'demo: both emails delivered; everything stopped.' : 'demo: stopped.');
    process.exit(code);
  });
