import { parseXAmzRestore } from '../../src/restore/x-amz-restore';

describe('x-amz-restore header', () => {
  it('reads a restore in progress (AWS example)', () => {
    expect(parseXAmzRestore('ongoing-request="true"')).toEqual({ ongoing: true, expiryDate: null });
  });

  it('reads a finished restore and converts its RFC 1123 expiry to ISO-8601 (AWS example)', () => {
    expect(parseXAmzRestore('ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"')).toEqual({
      ongoing: false,
      expiryDate: '2012-12-21T00:00:00.000Z',
    });
  });

  it('reads the value captured from SDK v3 HeadObjectOutput.Restore', () => {
    expect(parseXAmzRestore('ongoing-request="false", expiry-date="Sun, 13 Aug 2017 00:00:00 GMT"')).toEqual({
      ongoing: false,
      expiryDate: '2017-08-13T00:00:00.000Z',
    });
  });

  it.each([
    ['reordered', 'expiry-date="Fri, 21 Dec 2012 00:00:00 GMT", ongoing-request="false"'],
    ['extra spaces', '  ongoing-request = "false" ,   expiry-date =  "Fri, 21 Dec 2012 00:00:00 GMT"  '],
    ['no space after the comma', 'ongoing-request="false",expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"'],
    ['upper-case keys and value', 'Ongoing-Request="FALSE", Expiry-Date="Fri, 21 Dec 2012 00:00:00 GMT"'],
    [
      'an unknown extra key',
      'ongoing-request="false", restore-tier="Bulk", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"',
    ],
    ['an unquoted flag', 'ongoing-request=false, expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"'],
  ])('tolerates %s', (_name, value) => {
    expect(parseXAmzRestore(value)).toEqual({ ongoing: false, expiryDate: '2012-12-21T00:00:00.000Z' });
  });

  it('keeps the restore state when the expiry date is unreadable', () => {
    expect(parseXAmzRestore('ongoing-request="false", expiry-date="someday"')).toEqual({
      ongoing: false,
      expiryDate: null,
    });
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
    ['blank', '   '],
    ['garbage', 'hello world'],
    ['no ongoing-request', 'expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"'],
    ['an ongoing-request that is not a boolean', 'ongoing-request="maybe"'],
    ['an empty ongoing-request', 'ongoing-request=""'],
    ['a look-alike key', 'not-ongoing-request-x="true"'],
  ])('answers null for %s', (_name, value) => {
    expect(parseXAmzRestore(value)).toBeNull();
  });
});
