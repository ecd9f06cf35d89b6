import { configWarnings, loadConfig } from '../../src/config';
import { REQUIRED_ENV as REQUIRED, problemsOf } from '../helpers/config';

describe('TRUST_PROXY: how many proxies, or which ones, may name the client', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['10.0.0.0/8', ['10.0.0.0/8']],
    [' 10.0.0.0/8 , 192.168.1.7,fd00::/8, ::1 ', ['10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::1']],
    ['loopback, 172.16.0.0/12', ['loopback', '172.16.0.0/12']],
  ])('TRUST_PROXY=%j is %j', (value, expected) => {
    expect(loadConfig({ ...REQUIRED, TRUST_PROXY: value }).http.trustProxy).toEqual(expected);
  });

  it('refuses `true`, which let any client choose its own address, naming the forms it takes', () => {
    for (const value of ['true', 'yes', 'TRUE']) {
      const message = problemsOf({ ...REQUIRED, TRUST_PROXY: value });
      expect(message).toMatch(/TRUST_PROXY/);
      expect(message).toMatch(/number of proxies/);
      expect(message).toMatch(/CIDR/);
    }
  });

  it.each(['-1', '1.5', '10.0.0.0/33', '300.1.1.1', 'proxy.example.com', '10.0.0.0/8,,nonsense', '1,2'])(
    'refuses %j',
    (value) => {
      expect(problemsOf({ ...REQUIRED, TRUST_PROXY: value })).toMatch(/^invalid configuration: TRUST_PROXY /);
    },
  );
});

describe('ADMIN_TOKEN has no default', () => {
  it('is absent unless set: API_TOKEN never doubles as the board’s admin token', () => {
    expect(loadConfig(REQUIRED).adminToken).toBeUndefined();
    expect(loadConfig({ ...REQUIRED, ADMIN_TOKEN: 'admin-token-0123456789' }).adminToken).toBe(
      'admin-token-0123456789',
    );
  });

  it('warns when it is the API token itself (every API client could then act on the board)', () => {
    const same = loadConfig({ ...REQUIRED, ADMIN_TOKEN: REQUIRED.API_TOKEN });
    expect(configWarnings(same)).toEqual([expect.stringMatching(/^ADMIN_TOKEN equals API_TOKEN/)]);
    expect(configWarnings(loadConfig(REQUIRED))).toEqual([]);
  });
});
