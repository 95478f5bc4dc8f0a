import { FormatRegistry, Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type ValueError } from '@sinclair/typebox/compiler';

// TypeBox checks `format` only for formats that are registered; these are the ones our schemas use.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (value) => ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)));
}
if (!FormatRegistry.Has('email')) FormatRegistry.Set('email', (value) => EMAIL.test(value));

export interface Validator<T> {
  check(value: unknown): value is T;
  /** Human-readable list of what is wrong, capped, for logs and error bodies. */
  explain(value: unknown): string;
}

/** Compiles a schema once; call at module load, not per message. */
export function compile<S extends TSchema>(schema: S): Validator<Static<S>> {
  const compiled = TypeCompiler.Compile(schema);
  return {
    check: (value): value is Static<S> => compiled.Check(value),
    explain: (value) => describeErrors([...compiled.Errors(value)]),
  };
}

function describeErrors(errors: ValueError[]): string {
  const shown = errors.slice(0, 5).map((e) => `${e.path || '/'}: ${e.message}`);
  if (errors.length > shown.length) shown.push(`and ${errors.length - shown.length} more`);
  return shown.join('; ');
}

/** A value of `schema`, or null (Stripe and our payloads send null, never leave fields out). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
