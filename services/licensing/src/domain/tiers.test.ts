import { DEFAULT_TIERS, featuresOf, highestTier, normalizeTier, parseTierCatalog } from './tiers';

describe('tiers', () => {
  const catalog = parseTierCatalog(undefined, 'LICENSING_TIERS');

  it('defaults to FREE / PRO / PREMIUM with their features', () => {
    expect(catalog.names).toEqual(['FREE', 'PRO', 'PREMIUM']);
    expect(featuresOf(catalog, 'PREMIUM')).toEqual(DEFAULT_TIERS.PREMIUM);
    expect(featuresOf(catalog, 'UNKNOWN')).toEqual([]);
  });

  it('normalizes names from Stripe metadata', () => {
    expect(normalizeTier(' pro ')).toBe('PRO');
    expect(normalizeTier('')).toBeNull();
    expect(normalizeTier(undefined)).toBeNull();
  });

  it('picks the highest ranked tier, the default when none', () => {
    expect(highestTier(catalog, [])).toBe('FREE');
    expect(highestTier(catalog, ['PRO', null, 'PREMIUM'])).toBe('PREMIUM');
    expect(highestTier(catalog, ['PRO', 'PLATINUM'])).toBe('PRO');
    expect(highestTier(catalog, ['PLATINUM'])).toBe('PLATINUM');
  });
});
