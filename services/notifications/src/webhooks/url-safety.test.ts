import { checkEndpointUrl, isNonPublicAddress, parseV6, redactUrl } from './url-safety';

describe('isNonPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.10',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fe80::1',
    'fd00::1234',
    'fc00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:c0a8:0101::1',
    '2001:db8::1',
    '64:ff9b:1::a00:1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
  ])('refuses %s', (ip) => {
    expect(isNonPublicAddress(ip)).toBe(true);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '192.169.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('allows public %s', (ip) => {
    expect(isNonPublicAddress(ip)).toBe(false);
  });

  it('treats a non-address as unsafe', () => {
    expect(isNonPublicAddress('example.com')).toBe(true);
  });

  it('expands IPv6 forms', () => {
    expect(parseV6('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseV6('fe80::1:2')).toEqual([0xfe80, 0, 0, 0, 0, 0, 1, 2]);
    expect(parseV6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
  });
});

describe('checkEndpointUrl', () => {
  it('accepts public http and https URLs', () => {
    expect(checkEndpointUrl('https://hooks.example.com/billing?x=1', false).hostname).toBe(
      'hooks.example.com',
    );
    expect(checkEndpointUrl('http://93.184.216.34:8080/in', false).port).toBe('8080');
  });

  it.each([
    ['ftp://example.com/x', /only http and https/],
    ['file:///etc/passwd', /only http and https/],
    ['not a url', /not a valid URL/],
    ['https://example.com/#frag', /fragment/],
    ['http://localhost:3000/hook', /loopback/],
    ['http://api.localhost/hook', /loopback/],
    ['http://127.0.0.1/hook', /127\.0\.0\.1/],
    ['http://2130706433/hook', /127\.0\.0\.1/],
    ['http://0x7f.1/hook', /127\.0\.0\.1/],
    ['http://[::1]/hook', /::1/],
    ['http://[::ffff:127.0.0.1]/hook', /::ffff:7f00:1/],
    ['http://169.254.169.254/latest/meta-data', /169\.254\.169\.254/],
    ['http://10.0.0.5/hook', /10\.0\.0\.5/],
  ])('refuses %s', (url, message) => {
    expect(() => checkEndpointUrl(url, false)).toThrow(message);
  });

  it('allows private destinations when told to, but still only http(s)', () => {
    expect(checkEndpointUrl('http://127.0.0.1:9999/hook', true).port).toBe('9999');
    expect(() => checkEndpointUrl('gopher://127.0.0.1/', true)).toThrow(/only http and https/);
  });
});

describe('redactUrl', () => {
  it('drops credentials and leaves other URLs as they are', () => {
    expect(redactUrl('https://user:secret@hooks.example.com/in?x=1')).toBe(
      'https://hooks.example.com/in?x=1',
    );
    expect(redactUrl('https://hooks.example.com/in')).toBe('https://hooks.example.com/in');
  });
});
