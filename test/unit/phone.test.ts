import { describe, expect, it } from 'vitest';
import { maskPhone, normalizePhone } from '../../lib/phone.ts';

describe('normalizePhone', () => {
  it.each([
    ['15551234567', '+15551234567'],
    ['+1 555 123-4567', '+15551234567'],
    ['+7 916 123-45-67', '+79161234567'],
    ['79161234567', '+79161234567'],
    ['+44 (20) 7946.0958', '+442079460958'],
    ['0044 20 7946 0958', '+442079460958'],
    ['  +49\u00a030 901820  ', '+4930901820'],
  ])('normalizes %s to %s', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each([
    '',
    'abc',
    '+',
    '123',
    '+0123456789',
    '+1234567890123456',
    '555-CALL-NOW',
    '+1 555 123 4567 ext 2',
  ])('rejects %j', (input) => {
    expect(normalizePhone(input)).toBeUndefined();
  });
});

describe('maskPhone', () => {
  it('keeps only the country prefix and the last two digits', () => {
    expect(maskPhone('+15551234567')).toBe('+1***67');
    expect(maskPhone('+15551234567')).not.toContain('555123');
  });
});
