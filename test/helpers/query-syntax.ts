import { jsonProblems } from './request-syntax';
import type { Member, Shape } from './request-syntax';

/**
 * Every way query-protocol parameters (SNS, STS: `Action=...&Version=...`) depart from `shape`,
 * the operation's input. Maps are sent as `Name.entry.N.key` / `Name.entry.N.value` and lists as
 * `Name.member.N`, numbered from 1 (SNS API Reference, "Query Requests"; each operation's
 * "Request Parameters" shows `Attributes.entry.N.key`).
 */
export function queryProblems(
  params: Readonly<Record<string, string>>,
  action: string,
  version: string,
  shape: Shape,
): string[] {
  const { Action, Version, ...rest } = params;
  const problems: string[] = [];
  if (Action !== action) problems.push(`Action is ${Action}, not ${action}`);
  if (Version !== version) problems.push(`Version is ${Version}, not ${version}`);
  if (shape.kind !== 'structure') return [...problems, 'the input must be a structure'];
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(rest)) {
    const entry = /^(\w+)\.entry\.(\d+)\.(key|value)$/.exec(name);
    const member = /^(\w+)\.member\.(\d+)$/.exec(name);
    if (entry) {
      const [, top = '', index = '', part = ''] = entry;
      const entries = (input[top] ??= {}) as Record<string, Record<string, string>>;
      (entries[index] ??= {})[part] = value;
    } else if (member) {
      const [, top = '', index = ''] = member;
      ((input[top] ??= {}) as Record<string, string>)[index] = value;
    } else if (name.includes('.')) problems.push(`unexpected parameter ${name}`);
    else input[name] = value;
  }
  for (const [name, value] of Object.entries(input)) {
    const member = shape.members[name];
    if (member === undefined || typeof value === 'string') continue;
    input[name] =
      member.shape.kind === 'map' ? entriesToMap(name, value, problems) : numbered(name, value, problems);
  }
  return [...problems, ...jsonProblems(coerceScalars(input, shape), shape, Action ?? '?')];
}

function entriesToMap(name: string, value: unknown, problems: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  numbered<{ key?: string; value?: string }>(name, value, problems).forEach((item) => {
    if (item.key === undefined || item.value === undefined)
      problems.push(`${name}: an entry lacks key or value`);
    else result[item.key] = item.value;
  });
  return result;
}

function numbered<T>(name: string, value: unknown, problems: string[]): T[] {
  const items = value as Record<string, T>;
  const indexes = Object.keys(items)
    .map(Number)
    .sort((a, b) => a - b);
  if (indexes.some((index, position) => index !== position + 1))
    problems.push(`${name}: numbered ${indexes.join(',')}, not 1..${indexes.length}`);
  return indexes.map((index) => items[String(index)] as T);
}

/** Query parameters are all text: `true` is a boolean member's value, digits a number's. */
function coerceScalars(input: Record<string, unknown>, shape: { members: Readonly<Record<string, Member>> }) {
  return Object.fromEntries(
    Object.entries(input).map(([name, value]) => {
      const kind = shape.members[name]?.shape.kind;
      if (typeof value !== 'string') return [name, value];
      if (kind === 'boolean') return [name, value === 'true' ? true : value === 'false' ? false : value];
      if (kind === 'number' && /^-?\d+$/.test(value)) return [name, Number(value)];
      return [name, value];
    }),
  );
}
