import { SecretBox, SecretDecryptionError, UnknownSecretKeyError, parseSecretKeys } from './secret-box';

const key = (fill: number) => Buffer.alloc(32, fill);
const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

describe('SecretBox', () => {
  const box = new SecretBox([{ id: 'k1', key: key(1) }]);

  it('stores AES-256-GCM ciphertext with its key id, a fresh IV each time, and opens it for the same owner', () => {
    const sealed = box.seal(SECRET, 'ep_1');
    expect(sealed).toMatch(/^enc:v1:k1:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]{24}:[A-Za-z0-9+/=]+$/);
    expect(sealed).not.toContain(SECRET);
    expect(sealed).not.toContain(SECRET.slice(6));
    expect(box.seal(SECRET, 'ep_1')).not.toBe(sealed);
    expect(box.open(sealed, 'ep_1')).toBe(SECRET);
  });

  it('refuses a value moved to another owner (AAD) or changed in any part', () => {
    const sealed = box.seal(SECRET, 'ep_1');
    expect(() => box.open(sealed, 'ep_2')).toThrow(SecretDecryptionError);
    const [prefix, version, keyId, iv, tag, ciphertext] = sealed.split(':') as string[];
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] = bytes[0]! ^ 1;
      return bytes.toString('base64');
    };
    for (const tampered of [
      [prefix, version, keyId, iv, tag, flip(ciphertext!)],
      [prefix, version, keyId, iv, flip(tag!), ciphertext],
      [prefix, version, keyId, flip(iv!), tag, ciphertext],
    ]) {
      expect(() => box.open(tampered.join(':'), 'ep_1')).toThrow(SecretDecryptionError);
    }
    expect(() => box.open('enc:v1:k1:garbage', 'ep_1')).toThrow(SecretDecryptionError);
    // A different key under the same id does not open it either.
    expect(() => new SecretBox([{ id: 'k1', key: key(2) }]).open(sealed, 'ep_1')).toThrow(
      /authentication failed with key "k1"/,
    );
  });

  it('encrypts with the first key and opens with any listed key (rotation)', () => {
    const old = box.seal(SECRET, 'ep_1');
    const rotated = new SecretBox([
      { id: 'k2', key: key(2) },
      { id: 'k1', key: key(1) },
    ]);
    expect(rotated.open(old, 'ep_1')).toBe(SECRET);
    const fresh = rotated.seal(SECRET, 'ep_1');
    expect(fresh.startsWith('enc:v1:k2:')).toBe(true);
    expect(rotated.open(fresh, 'ep_1')).toBe(SECRET);
  });

  it('names a key id it does not have, never the value', () => {
    const sealed = box.seal(SECRET, 'ep_1');
    const other = new SecretBox([{ id: 'k9', key: key(9) }]);
    expect(() => other.open(sealed, 'ep_1')).toThrow(UnknownSecretKeyError);
    expect(() => other.open(sealed, 'ep_1')).toThrow(
      'stored secret is encrypted with key id "k1", which SECRETS_ENCRYPTION_KEYS does not list',
    );
    expect(() => new SecretBox([]).open(sealed, 'ep_1')).toThrow(UnknownSecretKeyError);
  });

  it('reads plaintext stored before encryption as it is, and stores plaintext without keys', () => {
    expect(box.open(SECRET, 'ep_1')).toBe(SECRET);
    const none = new SecretBox([]);
    expect(none.encrypts).toBe(false);
    expect(none.seal(SECRET, 'ep_1')).toBe(SECRET);
    expect(box.encrypts).toBe(true);
  });
});

describe('parseSecretKeys', () => {
  const b64 = (fill: number) => key(fill).toString('base64');

  it('reads keyId:base64 entries in order', () => {
    expect(parseSecretKeys(` k2:${b64(2)} , k1:${b64(1)}`)).toEqual([
      { id: 'k2', key: key(2) },
      { id: 'k1', key: key(1) },
    ]);
  });

  it('refuses malformed entries without repeating the key material', () => {
    const short = Buffer.alloc(16, 3).toString('base64');
    expect(() => parseSecretKeys(`k1:${short}`)).toThrow('key "k1" must be the base64 of 32 random bytes');
    expect(() => parseSecretKeys(`k1:${short}`)).not.toThrow(short);
    expect(() => parseSecretKeys(b64(1))).toThrow(/entry 1 must be <keyId>:<base64 key>/);
    expect(() => parseSecretKeys(`k:1:${b64(1)}`)).toThrow(/must be the base64/);
    expect(() => parseSecretKeys(`k1:${b64(1)},k1:${b64(2)}`)).toThrow('key id "k1" is listed twice');
    expect(() => parseSecretKeys(' , ')).toThrow('lists no key');
  });
});
