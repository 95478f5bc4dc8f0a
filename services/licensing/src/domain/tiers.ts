import { ConfigError } from '@billing/runtime';

/**
 * Tier names and the features each unlocks. The order of `names` is the rank (lowest first);
 * the first tier is the default every customer without a live subscription has.
 */
export interface TierCatalog {
  readonly names: readonly string[];
  readonly features: Readonly<Record<string, readonly string[]>>;
  readonly defaultTier: string;
}

export const DEFAULT_TIERS: Readonly<Record<string, readonly string[]>> = {
  FREE: ['core'],
  PRO: ['core', 'cloud_sync', 'export', 'updates'],
  PREMIUM: ['core', 'cloud_sync', 'export', 'updates', 'priority_support', 'team_sharing'],
};

/** Tier names are compared case-insensitively: Stripe metadata says `pro`, configuration `PRO`. */
export function normalizeTier(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed.toUpperCase();
}

/**
 * Parses `LICENSING_TIERS`: a JSON object from tier name to its features, in rank order,
 * e.g. `{"FREE":["core"],"PRO":["core","sync"]}`. Unset means {@link DEFAULT_TIERS}.
 */
export function parseTierCatalog(raw: string | undefined, variable: string): TierCatalog {
  if (raw === undefined) return catalogOf(DEFAULT_TIERS);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(variable, 'must be a JSON object of tier name to a list of features');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(variable, 'must be a JSON object of tier name to a list of features');
  }
  const tiers: Record<string, string[]> = {};
  for (const [name, features] of Object.entries(parsed)) {
    const tier = normalizeTier(name);
    if (!tier) throw new ConfigError(variable, 'tier names must not be empty');
    if (tiers[tier]) throw new ConfigError(variable, `tier ${tier} is listed twice`);
    if (!Array.isArray(features) || !features.every((f) => typeof f === 'string' && f !== '')) {
      throw new ConfigError(variable, `${name}: features must be a list of non-empty strings`);
    }
    tiers[tier] = [...new Set(features as string[])];
  }
  if (Object.keys(tiers).length === 0) throw new ConfigError(variable, 'must name at least one tier');
  return catalogOf(tiers);
}

function catalogOf(tiers: Readonly<Record<string, readonly string[]>>): TierCatalog {
  const names = Object.keys(tiers);
  return Object.freeze({ names, features: tiers, defaultTier: names[0]! });
}

/** Features of a tier; a tier Stripe names but configuration does not know unlocks nothing. */
export function featuresOf(catalog: TierCatalog, tier: string): string[] {
  return [...(catalog.features[tier] ?? [])];
}

/** Rank for comparison; unknown tiers rank just above the default so they are never lost. */
export function rankOf(catalog: TierCatalog, tier: string): number {
  const index = catalog.names.indexOf(tier);
  return index >= 0 ? index : 0.5;
}

/** The highest of the given tiers, or the default when there is none. */
export function highestTier(catalog: TierCatalog, tiers: readonly (string | null)[]): string {
  let best = catalog.defaultTier;
  for (const tier of tiers) {
    if (tier && rankOf(catalog, tier) > rankOf(catalog, best)) best = tier;
  }
  return best;
}
