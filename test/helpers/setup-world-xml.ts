import { randomUUID } from 'node:crypto';
import type { StandInAnswer } from './aws-stand-in';

/** XML bodies of the setup stand-in's answers (query protocol and REST-XML). */

export const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export const xml = (status: number, body: string): StandInAnswer => ({
  status,
  headers: { 'content-type': 'text/xml' },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
});
export const queryResult = (ns: string, action: string, inner?: string): string =>
  `<${action}Response xmlns="${ns}">${inner === undefined ? '' : `<${action}Result>${inner}</${action}Result>`}` +
  `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
export const entries = (attributes: Readonly<Record<string, string>>): string =>
  `<Attributes>${Object.entries(attributes)
    .map(([key, value]) => `<entry><key>${escape(key)}</key><value>${escape(value)}</value></entry>`)
    .join('')}</Attributes>`;
