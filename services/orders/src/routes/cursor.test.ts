import { decodeCursor, encodeCursor } from './cursor';

describe('page cursors', () => {
  it('round-trips what the API returned', () => {
    const cursor = encodeCursor({ createdAt: '2026-11-23T10:00:00.000Z', orderId: 'ord_1' });
    expect(decodeCursor(cursor, ['createdAt', 'orderId'])).toEqual({
      createdAt: '2026-11-23T10:00:00.000Z',
      orderId: 'ord_1',
    });
  });

  it.each([
    ['not base64 JSON', 'garbage!'],
    ['a missing key', encodeCursor({ createdAt: '2026-11-23T10:00:00.000Z' })],
    ['a time that is not a date', encodeCursor({ createdAt: 'not-a-date', orderId: 'x' })],
  ])('answers 400 invalid_cursor to %s', (_name, cursor) => {
    expect(() => decodeCursor(cursor, ['createdAt', 'orderId'])).toThrow(
      expect.objectContaining({ statusCode: 400, code: 'invalid_cursor' }),
    );
  });
});
