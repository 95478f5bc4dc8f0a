import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  id: string;
  expiresAt: Date;
  /** Every form of this session carries it in a hidden field; POSTs without it are refused. */
  csrf: string;
}

const ID = /^[A-Za-z0-9_-]{22,64}$/;

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * True when `given` is the admin token. Both sides are hashed to a fixed length first, so the
 * comparison takes the same time whatever was typed, its length included.
 */
export function tokenMatches(expected: string, given: string): boolean {
  const key = randomBytes(32);
  const digest = (value: string) => createHmac('sha256', key).update(value).digest();
  return timingSafeEqual(digest(expected), digest(given));
}

/**
 * Stateless, signed sessions: the cookie is `<id>.<expires ms>.<HMAC of both>`, and the session's
 * CSRF token is an HMAC of its id, so replicas need nothing shared but the key. Signing out clears
 * the cookie; a copied cookie stays valid until it expires (DASHBOARD_SESSION_TTL_MS) or the key
 * changes (rotating ADMIN_API_TOKEN, from which the key is derived by default).
 */
export class Sessions {
  constructor(
    private readonly key: Buffer,
    readonly ttlMs: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private mac(purpose: string, value: string): string {
    return createHmac('sha256', this.key).update(`${purpose}\n${value}`).digest('base64url');
  }

  /** A new session and the cookie value that carries it. */
  issue(): { session: Session; cookie: string } {
    const id = randomBytes(18).toString('base64url');
    const expiresAt = new Date(this.clock().getTime() + this.ttlMs);
    const body = `${id}.${expiresAt.getTime()}`;
    return {
      session: { id, expiresAt, csrf: this.mac('csrf', id) },
      cookie: `${body}.${this.mac('session', body)}`,
    };
  }

  /** The session a cookie value carries, or null when it is malformed, forged or expired. */
  read(cookie: string | undefined): Session | null {
    const [id, expires, signature, extra] = (cookie ?? '').split('.');
    if (!id || !expires || !signature || extra !== undefined || !ID.test(id) || !/^\d{1,15}$/.test(expires)) {
      return null;
    }
    if (!equal(signature, this.mac('session', `${id}.${expires}`))) return null;
    const expiresAt = new Date(Number(expires));
    if (expiresAt.getTime() <= this.clock().getTime()) return null;
    return { id, expiresAt, csrf: this.mac('csrf', id) };
  }

  csrfMatches(session: Session, given: unknown): boolean {
    return typeof given === 'string' && equal(given, session.csrf);
  }

  /**
   * The sign-in form has no session yet: it is protected by a nonce in a short-lived cookie and
   * the nonce's HMAC in the form (a signed double submit), so another site cannot post it.
   */
  loginChallenge(): { nonce: string; csrf: string } {
    const nonce = randomBytes(18).toString('base64url');
    return { nonce, csrf: this.mac('login', nonce) };
  }

  loginCsrfMatches(nonce: string | undefined, given: unknown): boolean {
    return (
      typeof nonce === 'string' &&
      ID.test(nonce) &&
      typeof given === 'string' &&
      equal(given, this.mac('login', nonce))
    );
  }
}
