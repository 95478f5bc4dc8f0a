/**
 * Request URLs name customers (`/customers/ada@example.com`, `?q=ada%40example.com`): their
 * addresses stay out of the logs.
 */
export function redactEmailsInUrl(url: string): string {
  return url.replace(/[^/?&=]+(?:@|%40)[^/?&#]+/gi, '[email]');
}
