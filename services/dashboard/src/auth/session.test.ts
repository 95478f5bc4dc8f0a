import { randomBytes } from 'node:crypto';
import { Sessions, tokenMatches } from './session';

describe('sessions', () => {
  const key = randomBytes(32);
  let now = new Date('2026-03-05T10:00:00Z');
  const sessions = new Sessions(key, 60_000, () => now);

  it('reads back the session it issued, with a CSRF token of its own', () => {
    const { session, cookie } = sessions.issue();
    expect(sessions.read(cookie)).toEqual(session);
    expect(sessions.csrfMatches(session, session.csrf)).toBe(true);
    expect(sessions.csrfMatches(session, sessions.issue().session.csrf)).toBe(false);
    expect(sessions.csrfMatches(session, undefined)).toBe(false);
  });

  it('refuses forged, altered, foreign and expired cookies', () => {
    const { cookie } = sessions.issue();
    const [id, expires, signature] = cookie.split('.');
    expect(sessions.read(`${id}.${Number(expires) + 3_600_000}.${signature}`)).toBeNull();
    expect(sessions.read(`${id}.${expires}.${signature!.slice(1)}x`)).toBeNull();
    expect(sessions.read(`${cookie}.more`)).toBeNull();
    expect(sessions.read(undefined)).toBeNull();
    expect(new Sessions(randomBytes(32), 60_000, () => now).read(cookie)).toBeNull();
    now = new Date(now.getTime() + 60_001);
    expect(sessions.read(cookie)).toBeNull();
  });

  it('ties the sign-in form to the nonce cookie it was served with', () => {
    const { nonce, csrf } = sessions.loginChallenge();
    expect(sessions.loginCsrfMatches(nonce, csrf)).toBe(true);
    expect(sessions.loginCsrfMatches(sessions.loginChallenge().nonce, csrf)).toBe(false);
    expect(sessions.loginCsrfMatches(undefined, csrf)).toBe(false);
  });

  it('compares the admin token whatever its length', () => {
    expect(tokenMatches('admin-token-0123456789', 'admin-token-0123456789')).toBe(true);
    expect(tokenMatches('admin-token-0123456789', 'admin-token-012345678')).toBe(false);
    expect(tokenMatches('admin-token-0123456789', '')).toBe(false);
  });
});
