import { isLoopbackHost, redactSmtpUrl, scrubSmtpPassword } from './smtp-url';

describe('SMTP URL helpers', () => {
  it('treats localhost, 127.0.0.0/8 and ::1 (also IPv4-mapped) as loopback, nothing else', () => {
    const host = (url: string) => new URL(url).hostname;
    for (const url of [
      'smtp://localhost:25',
      'smtp://LocalHost.',
      'smtp://127.0.0.1:1025',
      'smtp://127.12.0.9',
      'smtp://[::1]:25',
      'smtp://[0:0:0:0:0:0:0:1]',
      'smtp://[::ffff:127.0.0.1]',
    ]) {
      expect([url, isLoopbackHost(host(url))]).toEqual([url, true]);
    }
    for (const url of [
      'smtp://mail.example.com',
      'smtp://localhost.example.com',
      'smtp://128.0.0.1',
      'smtp://10.0.0.5',
      'smtp://[::2]',
      'smtp://[::ffff:10.0.0.1]',
      'smtp://mailpit:1025',
    ]) {
      expect([url, isLoopbackHost(host(url))]).toEqual([url, false]);
    }
  });

  it('masks the password of an SMTP URL and leaves the rest readable', () => {
    expect(redactSmtpUrl('smtp://ops%40example.com:p%3Ass@mail.example.com:587')).toBe(
      'smtp://ops%40example.com:***@mail.example.com:587',
    );
    expect(redactSmtpUrl('smtps://user:secret@mail.example.com')).toBe('smtps://user:***@mail.example.com');
    expect(redactSmtpUrl('smtp://127.0.0.1:1025')).toBe('smtp://127.0.0.1:1025');
    expect(redactSmtpUrl('not a url user:secret')).toBe('[invalid url]');
  });

  it('scrubs the password, raw or percent-encoded, from an error message', () => {
    const url = 'smtp://ops:p%40ss-w0rd@mail.example.com';
    expect(scrubSmtpPassword('535 bad login ops p@ss-w0rd / p%40ss-w0rd', url)).toBe(
      '535 bad login ops *** / ***',
    );
    expect(scrubSmtpPassword('connect ECONNREFUSED', 'smtp://mail.example.com')).toBe('connect ECONNREFUSED');
  });
});
