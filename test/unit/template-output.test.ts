import { cleanStrings, tidyHtml, tidyText, toSubjectLine } from '../../src/notify/template-output';

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
});
