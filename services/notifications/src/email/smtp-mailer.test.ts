import { smtpConnection } from './smtp-mailer';

describe('smtpConnection', () => {
  it('reads host, port and credentials (percent-decoded) from SMTP_URL', () => {
    expect(
      smtpConnection('smtp://ops%40example.com:p%3Ass@mail.example.com:2525', { requireTls: true }),
    ).toEqual({
      host: 'mail.example.com',
      port: 2525,
      secure: false,
      requireTLS: true,
      auth: { user: 'ops@example.com', pass: 'p:ss' },
    });
  });

  it('uses implicit TLS on 465 for smtps:// and the submission port 587 for smtp://', () => {
    // Implicit TLS needs no STARTTLS, so nothing to require.
    expect(smtpConnection('smtps://mail.example.com', { requireTls: true })).toMatchObject({
      port: 465,
      secure: true,
      requireTLS: false,
    });
    expect(smtpConnection('smtp://[::1]', { requireTls: false })).toEqual({
      host: '::1',
      port: 587,
      secure: false,
      requireTLS: false,
      auth: undefined,
    });
  });
});
