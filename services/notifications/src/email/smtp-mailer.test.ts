import { smtpConnection } from './smtp-mailer';

describe('smtpConnection', () => {
  it('reads host, port and credentials (percent-decoded) from SMTP_URL', () => {
    expect(smtpConnection('smtp://ops%40example.com:p%3Ass@mail.example.com:2525')).toEqual({
      host: 'mail.example.com',
      port: 2525,
      secure: false,
      auth: { user: 'ops@example.com', pass: 'p:ss' },
    });
  });

  it('uses implicit TLS on 465 for smtps:// and the submission port 587 for smtp://', () => {
    expect(smtpConnection('smtps://mail.example.com')).toMatchObject({ port: 465, secure: true });
    expect(smtpConnection('smtp://[::1]')).toEqual({
      host: '::1',
      port: 587,
      secure: false,
      auth: undefined,
    });
  });
});
