/** Formatting used by the email templates (registered as handlebars helpers). */

const LOCALE = 'en-US';

// Building an Intl formatter costs far more than formatting with it: one per currency, kept.
const moneyFormats = new Map<string, Intl.NumberFormat>();
const dateFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'long', timeZone: 'UTC' });

/**
 * Minor units as money, e.g. `formatMoney(4900, 'usd')` = "$49.00", `formatMoney(500, 'jpy')` = "¥500".
 * The number of decimals comes from the currency (ISO 4217), as Stripe's minor units do.
 */
export function formatMoney(minor: number, currency: string): string {
  const code = currency.toUpperCase();
  try {
    let format = moneyFormats.get(code);
    if (!format) {
      format = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: code });
      moneyFormats.set(code, format);
    }
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minor / 10 ** digits);
  } catch {
    return `${(minor / 100).toFixed(2)} ${code}`;
  }
}

/** An ISO time as a date customers read, e.g. "March 5, 2026" (UTC, so every replica agrees). */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return dateFormat.format(date);
}
