import { isIP } from 'node:net';
import { z } from 'zod';

const TRUST_PROXY_FORMS =
  'the number of proxies in front of thaw (1 behind one load balancer), or a comma-separated list of their addresses or CIDRs (10.0.0.0/8,192.168.1.7), or false';

/** Range names proxy-addr (fastify's trustProxy) knows besides addresses and CIDRs. */
const PROXY_RANGE_NAMES: ReadonlySet<string> = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrCidr(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address = '', bits, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/**
 * TRUST_PROXY: who may tell thaw the client's address (X-Forwarded-For), which the rate limit
 * counts by. `false`/`0`: nobody; `N`: the N proxies nearest thaw (the client is the Nth entry from
 * the right); a list: proxies at those addresses. `true` (every hop) let a client choose its own
 * address by sending the header, so it is refused rather than guessed at.
 */
export const trustProxy = z
  .string()
  .default('false')
  .transform((value, ctx): false | number | string[] => {
    const text = value.trim();
    const word = text.toLowerCase();
    if (word === 'false' || word === 'no' || word === '0') return false;
    if (word === 'true' || word === 'yes') {
      ctx.addIssue({
        code: 'custom',
        message: `true is refused: it believed every X-Forwarded-For entry, so any client could choose its own address; set ${TRUST_PROXY_FORMS}`,
      });
      return z.NEVER;
    }
    if (/^\d{1,3}$/.test(text)) return Number(text) || false;
    const entries = text.split(',').map((entry) => entry.trim());
    if (entries.every(isAddressOrCidr)) return entries;
    ctx.addIssue({ code: 'custom', message: `must be ${TRUST_PROXY_FORMS}` });
    return z.NEVER;
  });
