/**
 * Customer link tokens are credentials: log lines and trace attributes show `/d/…` and `/r/…`
 * paths without them.
 */
export function maskTokens(url: string): string {
  return url.replace(/^\/(d|r)\/[^/?#]+/, '/$1/[token]');
}
