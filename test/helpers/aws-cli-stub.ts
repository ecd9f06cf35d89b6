import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The stub for `awslocal` and `curl`: logs its name, argument count and arguments, NUL-separated
 * (any text but NUL survives), and prints what LocalStack would for the calls whose output the
 * script reads.
 */
const stub = (account: string): string => `#!/usr/bin/env bash
tool="$(basename "$0")"
printf '%s\\0' "$tool" "$#" "$@" >>"$STUB_LOG"
arg() { local want="$1"; shift; while [ $# -gt 0 ]; do [ "$1" = "$want" ] && { echo "$2"; return; }; shift; done; }
if [ "$tool" = curl ]; then printf '{"subscription_token": "7f3a"}'; exit 0; fi
case "$2" in
  head-bucket | head-object) exit "$STUB_MISSING" ;;
  create-topic) echo "arn:aws:sns:$AWS_DEFAULT_REGION:${account}:$(arg --name "$@")" ;;
  subscribe) echo "$(arg --topic-arn "$@"):0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" ;;
  get-subscription-attributes) echo "$STUB_PENDING" ;;
esac
`;

export interface CliCall {
  readonly tool: string;
  readonly args: string[];
}

/**
 * Runs a bash script with `awslocal` and `curl` replaced by the stub (first on PATH), and returns
 * every call the script made, in order. STUB_MISSING (exit code of head-bucket/head-object) and
 * STUB_PENDING (what get-subscription-attributes prints) choose the script's branches.
 */
export function runWithStubbedCli(script: string, account: string, env: Record<string, string>): CliCall[] {
  const dir = mkdtempSync(join(tmpdir(), 'thaw-localstack-'));
  try {
    for (const tool of ['awslocal', 'curl']) {
      writeFileSync(join(dir, tool), stub(account));
      chmodSync(join(dir, tool), 0o755);
    }
    const log = join(dir, 'calls.log');
    const run = spawnSync('bash', [script], {
      encoding: 'utf8',
      env: { PATH: `${dir}:${process.env.PATH ?? ''}`, STUB_LOG: log, ...env },
    });
    if (run.status !== 0 || run.stderr !== '') {
      throw new Error(`${script} exited ${run.status}: ${run.stderr}`);
    }
    const fields = readFileSync(log, 'utf8').split('\0');
    const calls: CliCall[] = [];
    for (let index = 0; index < fields.length - 1;) {
      const tool = fields[index] ?? '';
      const count = Number(fields[index + 1]);
      calls.push({ tool, args: fields.slice(index + 2, index + 2 + count) });
      index += 2 + count;
    }
    return calls;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `--flag value` pairs and bare `--flag`s as an object; global options (--query, --output) dropped. */
export function flags(args: readonly string[]): Record<string, string | true> {
  const result: Record<string, string | true> = {};
  for (let index = 2; index < args.length; index += 1) {
    const flag = args[index] ?? '';
    const next = args[index + 1];
    if (next === undefined || next.startsWith('--')) result[flag] = true;
    else {
      result[flag] = next;
      index += 1;
    }
  }
  delete result['--query'];
  delete result['--output'];
  return result;
}

/** A flag's API member name: --topic-arn → TopicArn (and the CLI's one rename). */
export function memberOf(flag: string): string {
  if (flag === '--notification-endpoint') return 'Endpoint';
  return flag
    .slice(2)
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
