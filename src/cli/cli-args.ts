/**
 * A small, strict flag parser for the `thaw` subcommands: `--name value`, `--name=value` and
 * boolean `--flag`; unknown flags are an error, so a typo never silently changes what runs.
 */
export interface FlagSpec {
  readonly [name: string]: 'string' | 'boolean';
}

export type ParsedFlags<S extends FlagSpec> = {
  [K in keyof S]?: S[K] extends 'boolean' ? boolean : string;
} & { readonly _: string[] };

export function parseFlags<S extends FlagSpec>(argv: readonly string[], spec: S): ParsedFlags<S> | string {
  const flags: Record<string, string | boolean | string[]> = { _: [] };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (!argument.startsWith('--')) {
      (flags._ as string[]).push(argument);
      continue;
    }
    const [rawName, inline] = argument.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const kind = Object.hasOwn(spec, rawName) ? spec[rawName] : undefined;
    if (kind === undefined) return `unknown option --${rawName}`;
    if (kind === 'boolean') {
      if (inline !== undefined) return `--${rawName} takes no value`;
      flags[rawName] = true;
      continue;
    }
    const value = inline ?? argv[index + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      return `--${rawName} needs a value`;
    if (inline === undefined) index += 1;
    flags[rawName] = value;
  }
  return flags as ParsedFlags<S>;
}
