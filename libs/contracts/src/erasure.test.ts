import { createHash } from 'node:crypto';
import { erasedEmailHash, erasedEmailPlaceholder, isErasedEmail } from './erasure';

describe('erasure placeholders', () => {
  it('are stable, case-insensitive and name the email only by a hash', () => {
    const hex = createHash('sha256').update('ada@example.com').digest('hex').slice(0, 16);
    expect(erasedEmailHash(' Ada@Example.COM ')).toBe(hex);
    expect(erasedEmailPlaceholder('Ada@Example.com')).toBe(`erased-${hex}@erased.invalid`);
    expect(erasedEmailPlaceholder('ada@example.com')).toBe(erasedEmailPlaceholder('ADA@EXAMPLE.COM'));
    expect(erasedEmailPlaceholder('ada@example.com')).not.toContain('ada');
  });

  it('are recognised, so nothing is sent to them', () => {
    expect(isErasedEmail(erasedEmailPlaceholder('ada@example.com'))).toBe(true);
    expect(isErasedEmail('ada@example.com')).toBe(false);
    expect(isErasedEmail(null)).toBe(false);
  });
});
