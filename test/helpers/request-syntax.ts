import { XMLParser } from 'fast-xml-parser';

/**
 * A small model of an AWS request's syntax, written from an API reference's "Request Syntax" and
 * "Request Parameters", and checkers that hold a request to it in each form it takes on the wire:
 * a JSON document (SQS's JSON protocol, a CLI argument, a policy attribute), an XML body (S3's
 * REST-XML), or query parameters (SNS's and STS's query protocol; query-syntax.ts). Each checker returns every
 * problem found, as `path: what is wrong`, so a test reads `expect(problems).toEqual([])`.
 *
 * One model serves both names an element can have: the member name (JSON, SDK input, CLI) and,
 * where S3's XML differs, its element name (`xmlName`: TopicArn is `<Topic>`, a flattened list
 * repeats its element with no wrapper).
 */

export type Shape =
  | { readonly kind: 'string'; readonly values?: readonly string[]; readonly pattern?: RegExp }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'number'; readonly min?: number; readonly max?: number }
  | { readonly kind: 'list'; readonly member: Shape; readonly minLength?: number }
  | { readonly kind: 'map'; readonly value: Shape; readonly keys?: readonly string[] }
  | { readonly kind: 'structure'; readonly members: Readonly<Record<string, Member>> }
  | { readonly kind: 'oneOf'; readonly options: readonly Shape[] };

export interface Member {
  readonly shape: Shape;
  readonly required?: boolean;
  /** The XML element name, when it is not the member name. */
  readonly xmlName?: string;
  /** A list whose items repeat the element directly under the parent (S3's XML lists). */
  readonly flattened?: boolean;
}

export const string = (values?: readonly string[], pattern?: RegExp): Shape => ({
  kind: 'string',
  ...(values === undefined ? {} : { values }),
  ...(pattern === undefined ? {} : { pattern }),
});
export const list = (member: Shape, minLength?: number): Shape => ({
  kind: 'list',
  member,
  ...(minLength === undefined ? {} : { minLength }),
});
export const map = (value: Shape, keys?: readonly string[]): Shape => ({
  kind: 'map',
  value,
  ...(keys === undefined ? {} : { keys }),
});
export const structure = (members: Readonly<Record<string, Member | Shape>>): Shape => ({
  kind: 'structure',
  members: Object.fromEntries(
    Object.entries(members).map(([name, item]) => [name, 'shape' in item ? item : { shape: item }]),
  ),
});
export const required = (shape: Shape, extra: Omit<Member, 'shape' | 'required'> = {}): Member => ({
  shape,
  required: true,
  ...extra,
});
export const optional = (shape: Shape, extra: Omit<Member, 'shape' | 'required'> = {}): Member => ({
  shape,
  ...extra,
});
export const oneOf = (...options: Shape[]): Shape => ({ kind: 'oneOf', options });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every way `value` (parsed JSON, or an SDK input) departs from `shape`, member names as in JSON. */
export function jsonProblems(value: unknown, shape: Shape, path = '$'): string[] {
  switch (shape.kind) {
    case 'string':
      if (typeof value !== 'string') return [`${path}: expected a string, got ${JSON.stringify(value)}`];
      return stringProblems(value, shape, path);
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected true or false`];
    case 'number':
      if (typeof value !== 'number') return [`${path}: expected a number, got ${JSON.stringify(value)}`];
      if ((shape.min !== undefined && value < shape.min) || (shape.max !== undefined && value > shape.max))
        return [`${path}: ${value} is outside ${shape.min ?? '-∞'}..${shape.max ?? '∞'}`];
      return [];
    case 'list':
      if (!Array.isArray(value)) return [`${path}: expected a list`];
      if (shape.minLength !== undefined && value.length < shape.minLength)
        return [`${path}: expected at least ${shape.minLength} item(s)`];
      return value.flatMap((item, index) => jsonProblems(item, shape.member, `${path}[${index}]`));
    case 'map':
      if (!isObject(value)) return [`${path}: expected an object`];
      return Object.entries(value).flatMap(([key, item]) => [
        ...(shape.keys === undefined || shape.keys.includes(key) ? [] : [`${path}: unknown key "${key}"`]),
        ...jsonProblems(item, shape.value, `${path}.${key}`),
      ]);
    case 'structure':
      if (!isObject(value)) return [`${path}: expected an object`];
      return [
        ...Object.keys(value)
          .filter((name) => !(name in shape.members))
          .map((name) => `${path}: unknown member "${name}"`),
        ...Object.entries(shape.members).flatMap(([name, member]) =>
          value[name] === undefined
            ? member.required
              ? [`${path}: missing required member "${name}"`]
              : []
            : jsonProblems(value[name], member.shape, `${path}.${name}`),
        ),
      ];
    case 'oneOf': {
      const each = shape.options.map((option) => jsonProblems(value, option, path));
      if (each.some((problems) => problems.length === 0)) return [];
      // Report against the option of the value's own kind (a list, an object, a string).
      const index = shape.options.findIndex((option) => sameKind(value, option));
      return each[Math.max(index, 0)] ?? [];
    }
  }
}

function sameKind(value: unknown, shape: Shape): boolean {
  switch (shape.kind) {
    case 'list':
      return Array.isArray(value);
    case 'map':
    case 'structure':
      return isObject(value);
    case 'oneOf':
      return shape.options.some((option) => sameKind(value, option));
    default:
      return typeof value === shape.kind;
  }
}

function stringProblems(
  value: string,
  shape: { values?: readonly string[]; pattern?: RegExp },
  path: string,
) {
  if (shape.values !== undefined && !shape.values.includes(value))
    return [`${path}: "${value}" is not one of ${shape.values.join(', ')}`];
  if (shape.pattern !== undefined && !shape.pattern.test(value))
    return [`${path}: "${value}" does not match ${String(shape.pattern)}`];
  return [];
}

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: () => true,
  parseTagValue: false,
  trimValues: true,
});

export interface ParsedXml {
  readonly root: string;
  readonly namespace: string | undefined;
  readonly problems: string[];
}

/**
 * Every way an XML body departs from `shape` under the root element `root`: element names
 * (`xmlName`), nesting, flattened lists, required elements. Also gives the root and its namespace.
 */
export function xmlProblems(xml: string, root: string, shape: Shape): ParsedXml {
  const document = xmlParser.parse(xml) as Record<string, unknown>;
  const roots = Object.keys(document).filter((name) => name !== '?xml');
  const element = (document[roots[0] ?? ''] as unknown[] | undefined)?.[0];
  const namespace = isObject(element) ? (element['@xmlns'] as string[] | undefined)?.[0] : undefined;
  const problems =
    roots.length === 1 && roots[0] === root ? [] : [`root is <${roots.join('><')}>, not <${root}>`];
  return {
    root: roots[0] ?? '',
    namespace,
    problems: [...problems, ...xmlElementProblems(element, shape, root)],
  };
}

function xmlElementProblems(element: unknown, shape: Shape, path: string): string[] {
  const text = isObject(element) ? element['#text'] : element;
  switch (shape.kind) {
    case 'string':
    case 'boolean':
    case 'number':
      if (typeof text !== 'string') return [`${path}: expected text`];
      if (shape.kind === 'string') return stringProblems(text, shape, path);
      if (shape.kind === 'boolean') return ['true', 'false'].includes(text) ? [] : [`${path}: not a boolean`];
      return Number.isFinite(Number(text)) ? [] : [`${path}: not a number`];
    case 'structure': {
      const children = isObject(element) ? element : {};
      if (!isObject(element) && element !== '') return [`${path}: expected child elements`];
      const byXmlName = new Map(
        Object.entries(shape.members).map(([name, member]) => [member.xmlName ?? name, member]),
      );
      const found = Object.keys(children).filter((name) => !name.startsWith('@') && name !== '#text');
      return [
        ...found.filter((name) => !byXmlName.has(name)).map((name) => `${path}: unknown element <${name}>`),
        ...[...byXmlName].flatMap(([name, member]) => {
          const items = (children[name] as unknown[] | undefined) ?? [];
          if (items.length === 0) return member.required ? [`${path}: missing required <${name}>`] : [];
          if (member.shape.kind === 'list' && member.flattened) {
            const inner = member.shape.member;
            return items.flatMap((item, index) =>
              xmlElementProblems(item, inner, `${path}/${name}[${index}]`),
            );
          }
          if (items.length > 1) return [`${path}: <${name}> appears ${items.length} times`];
          return xmlElementProblems(items[0], member.shape, `${path}/${name}`);
        }),
      ];
    }
    default:
      return [`${path}: the model has no XML form for a ${shape.kind}`];
  }
}
