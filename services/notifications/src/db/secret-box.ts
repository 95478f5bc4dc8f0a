import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** One entry of `SECRETS_ENCRYPTION_KEYS`. */
export interface SecretKey {
  /** Written into every value it encrypts, so the right key is found after a rotation. */
  id: string;
  /** 32 bytes (AES-256). */
  key: Buffer;
}

/** An encrypted value names a key this process does not have. */
export class UnknownSecretKeyError extends Error {
  constructor(readonly keyId: string) {
    super(`stored secret is encrypted with key id "${keyId}", which SECRETS_ENCRYPTION_KEYS does not list`);
    this.name = 'UnknownSecretKeyError';
  }
}

/** An encrypted value that does not open: malformed, tampered with, or stored for another owner. */
export class SecretDecryptionError extends Error {
  constructor(reason: string) {
    super(`stored secret cannot be decrypted: ${reason}`);
    this.name = 'SecretDecryptionError';
  }
}

const PREFIX = 'enc:v1:';
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * `keyId:base64,keyId:base64,...`; the first key encrypts. Error messages never repeat a key.
 */
export function parseSecretKeys(value: string): SecretKey[] {
  const keys = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const colon = entry.indexOf(':');
      const id = colon < 0 ? '' : entry.slice(0, colon);
      if (!KEY_ID.test(id)) {
        throw new Error(`entry ${i + 1} must be <keyId>:<base64 key>, the id made of A-Z a-z 0-9 _ -`);
      }
      const encoded = entry.slice(colon + 1);
      const key = Buffer.from(encoded, 'base64');
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.length !== 32) {
        throw new Error(`key "${id}" must be the base64 of 32 random bytes`);
      }
      return { id, key };
    });
  if (keys.length === 0) throw new Error('lists no key');
  const ids = keys.map((k) => k.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) throw new Error(`key id "${repeated}" is listed twice`);
  return keys;
}

/**
 * Encrypts secrets for storage: AES-256-GCM with a random 12-byte IV, stored as
 * `enc:v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64). The caller's `aad` (the owner's id) is
 * authenticated, so a value copied to another owner does not open. Without keys values are
 * stored and read as they are; a value without the prefix (stored before encryption was
 * configured) is read as it is, so an upgrade needs no migration.
 */
export class SecretBox {
  private readonly byId: ReadonlyMap<string, Buffer>;

  constructor(private readonly keys: readonly SecretKey[]) {
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** False when no key is configured: `seal` stores plaintext. */
  get encrypts(): boolean {
    return this.keys.length > 0;
  }

  seal(plaintext: string, aad: string): string {
    const current = this.keys[0];
    if (!current) return plaintext;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64'));
    return `${PREFIX}${current.id}:${parts.join(':')}`;
  }

  /** The plaintext; throws UnknownSecretKeyError or SecretDecryptionError (never with the value). */
  open(stored: string, aad: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const fields = stored.slice(PREFIX.length).split(':');
    if (fields.length !== 4) throw new SecretDecryptionError('malformed');
    const [keyId, iv, tag, ciphertext] = fields as [string, string, string, string];
    const key = this.byId.get(keyId);
    if (!key) throw new UnknownSecretKeyError(keyId);
    const ivBytes = Buffer.from(iv, 'base64');
    const tagBytes = Buffer.from(tag, 'base64');
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
      throw new SecretDecryptionError('malformed');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, ivBytes, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretDecryptionError(`authentication failed with key "${keyId}" (tampered or moved)`);
    }
  }
}
