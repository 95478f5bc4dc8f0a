import { isDuplicateKeyError } from './errors';

describe('isDuplicateKeyError', () => {
  it('recognises E11000 from a single write and from a bulk write where every error is a duplicate', () => {
    expect(isDuplicateKeyError({ code: 11000 })).toBe(true);
    expect(isDuplicateKeyError({ writeErrors: [{ code: 11000 }, { err: { code: 11000 } }] })).toBe(true);
  });

  it('does not hide other failures', () => {
    expect(isDuplicateKeyError({ code: 121 })).toBe(false);
    expect(isDuplicateKeyError({ writeErrors: [{ code: 11000 }, { code: 121 }] })).toBe(false);
    expect(isDuplicateKeyError(new Error('network'))).toBe(false);
    expect(isDuplicateKeyError(null)).toBe(false);
  });
});
