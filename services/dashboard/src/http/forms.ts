import type { FastifyInstance } from 'fastify';

/** An HTML form's fields: the first value of each name. */
export type FormBody = Record<string, string>;

/** Forms are small: a token, an id, a few filters. */
const FORM_LIMIT_BYTES = 16 * 1024;

/** Parses `application/x-www-form-urlencoded` bodies (what a plain HTML form posts). */
export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES },
    (_request, body, done) => {
      const fields: FormBody = {};
      for (const [name, value] of new URLSearchParams(body as string)) {
        if (!(name in fields)) fields[name] = value;
      }
      done(null, fields);
    },
  );
}

/** The body as form fields ({} for anything else). */
export function formOf(body: unknown): FormBody {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as FormBody) : {};
}

/** `<input type="datetime-local">` sends `2026-03-05T10:15` (the forms say UTC). */
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

/** A datetime-local field read as UTC, as ISO 8601; undefined when it is not one. */
export function utcOfLocalTime(value: string | undefined): string | undefined {
  if (!value || !LOCAL_TIME.test(value)) return undefined;
  const date = new Date(`${value}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** What a datetime-local field shows for a time (UTC, to the minute). */
export function localTimeOf(date: Date): string {
  return date.toISOString().slice(0, 16);
}
