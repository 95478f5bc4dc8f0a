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
