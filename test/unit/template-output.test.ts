import { keySegments } from '../../src/templating/key-breaks';
import { cleanStrings, tidyHtml, tidyText, toSubjectLine } from '../../src/templating/template-output';
import { foldText } from '../../src/notify/text-fold';

const octets = (line: string): number => Buffer.byteLength(line, 'utf8');
const width = (line: string): number => Array.from(line).length;

describe('template output', () => {
  describe('toSubjectLine', () => {
    it('turns CR, LF, tabs and other controls into single spaces', () => {
      expect(toSubjectLine('  Ready:\r\nBcc: x@evil.example\t\u0000 now \u2028done ')).toBe(
        'Ready: Bcc: x@evil.example now done',
      );
    });

    it('caps at 200 code points without splitting a surrogate pair', () => {
      const subject = toSubjectLine('😀'.repeat(300));
      expect(Array.from(subject)).toHaveLength(200);
      expect(subject).toBe(`${'😀'.repeat(199)}…`);
      expect(toSubjectLine('short')).toBe('short');
    });
  });

  it('cleanStrings cleans every string, deeply, and leaves other values alone', () => {
    const cleaned = cleanStrings({ a: 'x\r\ny', list: [{ key: 'k\u0007' }], n: 3, none: undefined });
    expect(cleaned).toEqual({ a: 'x\ny', list: [{ key: 'k\uFFFD' }], n: 3, none: undefined });
  });

  it('tidyText trims line ends and collapses blank runs', () => {
    expect(tidyText('\n\nHello,  \n\n\n\nbody\n\n')).toBe('Hello,\n\nbody\n');
  });

  describe('tidyHtml', () => {
    it('drops blank lines and indentation', () => {
      expect(tidyHtml('<p>\n    a\n\n  </p>\n')).toBe('<p>\na\n</p>\n');
    });

    it('breaks a long line at whitespace, outside attribute values', () => {
      const words = Array.from({ length: 300 }, (_, index) => `word${index}`).join(' ');
      const title = 'a b c d e f g h i j k l m n o p q r s t u v w x y z';
      const html = tidyHtml(`<p title="${title}">${words}</p>`, 100);
      const lines = html.trimEnd().split('\n');
      expect(lines.length).toBeGreaterThan(20);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
      expect(html).toContain(`title="${title}"`);
      expect(html.replace(/\n/g, ' ')).toBe(`<p title="${title}">${words}</p> `);
    });

    it('breaks text without whitespace with empty comments, never inside a character reference', () => {
      const text = '&amp;&lt;x&gt;&#x3D;'.repeat(50);
      const html = tidyHtml(`<td>${text}</td>`, 60);
      const lines = html.trimEnd().split('\n');
      expect(lines.length).toBeGreaterThan(10);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
      expect(html.replace(/<!--\n-->/g, '')).toBe(`<td>${text}</td>\n`);
      for (const line of lines) expect(line).not.toMatch(/&[#\w]*(<!--)?$/);
    });

    it('keeps no-break and em spaces from user data: they are text, not HTML whitespace', () => {
      expect(tidyHtml('  <td>\u00A0\u00A0indented key</td>\u2003\n')).toBe(
        '<td>\u00A0\u00A0indented key</td>\u2003\n',
      );
      const text = 'word\u00A0'.repeat(40);
      const html = tidyHtml(`<td>${text}</td>`, 60);
      expect(html.trimEnd().split('\n').length).toBeGreaterThan(3);
      // Broken with empty comments only: a no-break space never became a line break.
      expect(html.replace(/<!--\n-->/g, '')).toBe(`<td>${text}</td>\n`);
    });

    it('leaves a document with no long line exactly as trimmed, whatever its tags and quotes', () => {
      const html = '<a href="x\n  y">\n  it\'s "quoted" &amp; <!-- open\n  comment -->\n</a>\n';
      expect(tidyHtml(html, 40)).toBe('<a href="x\ny">\nit\'s "quoted" &amp; <!-- open\ncomment -->\n</a>\n');
    });

    it('leaves a line that is one long attribute (a presigned href) whole', () => {
      const href = `href="https://example.com/${'x'.repeat(1200)}"`;
      const html = tidyHtml(`<a\n${href}\nstyle="color:red">Download</a>`);
      expect(html.split('\n')).toContain(href);
    });
  });

  describe('foldText', () => {
    const prose =
      'Good news: the files you asked for have been restored and are ready to download. ' +
      'The restored copies are available until at least Monday, November 30, 2026 at 4:00 PM PST.';

    it('leaves lines of up to 76 characters alone', () => {
      const text = `${'x'.repeat(76)}\n\n  - ${'y'.repeat(72)}\n`;
      expect(foldText(text)).toBe(text);
    });

    it('wraps prose at spaces, at 76 characters at most, losing no word', () => {
      const folded = foldText(`${prose}\n`);
      const lines = folded.trimEnd().split('\n');
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) expect(width(line)).toBeLessThanOrEqual(76);
      expect(lines.join(' ')).toBe(prose);
      // Greedy: each line is as full as it can be.
      lines.slice(0, -1).forEach((line, index) => {
        const next = lines[index + 1]?.split(' ')[0] ?? '';
        expect(width(`${line} ${next}`)).toBeGreaterThan(76);
      });
    });

    it('counts characters, not UTF-16 units or bytes, for the width', () => {
      const words = Array.from({ length: 30 }, () => 'Grüße😀').join(' '); // 6 characters each
      const lines = foldText(words).trimEnd().split('\n');
      expect(lines[0]).toBe(Array.from({ length: 11 }, () => 'Grüße😀').join(' ')); // 76 characters, 87 units
    });

    it('indents the continuation of a list item or an indented line under its text', () => {
      const folded = foldText(`- ${prose}\n  Could not be restored: ${prose}\n`);
      const lines = folded.trimEnd().split('\n');
      expect(lines[0]?.startsWith('- Good news:')).toBe(true);
      const item = lines.slice(
        1,
        lines.findIndex((line) => line.startsWith('  Could')),
      );
      for (const line of item) expect(line).toMatch(/^ {2}\S/);
      for (const line of lines) expect(width(line)).toBeLessThanOrEqual(76);
    });

    it('breaks neither at a no-break space nor inside a value it is told to keep', () => {
      const key = 'Reports 2026/Annual Review – Final Version (approved) copy 2.pdf';
      const folded = foldText(`We have started restoring ${key} from archive storage, 1,2\u00A0GB.`, [key]);
      expect(folded.split('\n').some((line) => line.includes(key))).toBe(true);
      expect(folded).toContain('1,2\u00A0GB.');
      // The value is found in the text as the templates put it there: a list line, trimmed.
      expect(foldText(`- ${key} ${key}`, [` ${key} `]).split('\n')).toEqual([`- ${key}`, `  ${key}`]);
    });

    it('puts a word wider than a line on a line of its own, whole', () => {
      const url = `https://files.example.com/d/${'t'.repeat(90)}`;
      const folded = foldText(`Download your file here: ${url} before it expires.`);
      expect(folded.split('\n')).toEqual(['Download your file here:', url, 'before it expires.']);
    });

    it('breaks a word over 998 octets between characters, after a "/" where it can', () => {
      const key = `${'写真/'.repeat(100)}${'日本語😀'.repeat(120)}e\u0301${'x'.repeat(300)}`;
      const folded = foldText(`- ${key} (1.2 GB)\n`);
      const lines = folded.trimEnd().split('\n');
      expect(lines.length).toBeGreaterThan(2);
      for (const line of lines) expect(octets(line)).toBeLessThanOrEqual(998);
      expect(new TextDecoder().decode(new TextEncoder().encode(folded))).toBe(folded);
      // Joining the lines without their two-character marker or indent gives the key back.
      const joined = lines.map((line) => line.slice(2)).join('');
      expect(joined.startsWith(key)).toBe(true);
      expect(joined.slice(key.length)).toMatch(/^ ?\(1\.2 GB\)$/);
      expect(lines[0]?.endsWith('/')).toBe(true);
      // A base letter and its combining accent stay on one line.
      expect(folded).not.toMatch(/e\n\s*\u0301/);
    });

    it('never leaves a space at a hard break, where a reader could not see it', () => {
      const key = `${'a '.repeat(300)}${'b'.repeat(900)}`;
      const lines = foldText(key, [key]).trimEnd().split('\n');
      expect(lines.join('')).toBe(key);
      for (const line of lines) expect(line).toMatch(/^\S(.*\S)?$/);
    });

    it('breaks a URL over 998 octets inside <…> after an "&", as RFC 3986 Appendix C describes', () => {
      const url = `https://b.s3.amazonaws.com/k?X-Amz-Security-Token=${'%2F'.repeat(300)}&X-Amz-Signature=${'f'.repeat(64)}`;
      const folded = foldText(`  ${url}\n`);
      const lines = folded.trimEnd().split('\n');
      expect(lines).toEqual([
        `  <${url.slice(0, url.indexOf('&') + 1)}`,
        `  X-Amz-Signature=${'f'.repeat(64)}>`,
      ]);
      expect(folded.replace(/\s+/g, '')).toBe(`<${url}>`);
      // A percent-escape is never split, even where there is no "&" to break after.
      const bare = `https://b.example/${'%E6%97%A5'.repeat(200)}`;
      for (const line of foldText(bare).trimEnd().split('\n')) {
        expect(line).toMatch(/^<?https:|^%/);
        expect(octets(line)).toBeLessThanOrEqual(998);
      }
    });
  });

  describe('keySegments', () => {
    it('leaves a key whose runs without a space are up to 40 characters long in one piece', () => {
      expect(keySegments('photos/2024/holiday.jpg')).toEqual(['photos/2024/holiday.jpg']);
      const words = 'Annual review of the board, with every appendix/final-copy-signed-2026.pdf';
      expect(keySegments(words)).toEqual([words]);
      expect(keySegments('')).toEqual(['']);
    });

    it('cuts a longer run after every "/" and every 20 characters, keeping characters whole', () => {
      const key = `exports/2026/${'日本語😀'.repeat(10)}e\u0301 and a b/c`;
      const pieces = keySegments(key);
      expect(pieces.join('')).toBe(key);
      expect(pieces.slice(0, 2)).toEqual(['exports/', '2026/']);
      for (const piece of pieces) expect(width(piece)).toBeLessThanOrEqual(20);
      for (const piece of pieces) expect(piece).not.toMatch(/^(?:[\uDC00-\uDFFF]|\u0301)/);
    });
  });
});
