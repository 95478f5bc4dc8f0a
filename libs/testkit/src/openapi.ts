import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPI } from 'openapi-types';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Response {
  content?: Record<string, { schema?: unknown }>;
}

/** What `inspectOpenApi` found in a document. */
export interface OpenApiReport {
  /** `openapi` of the document, e.g. "3.1.0". */
  version: string;
  paths: string[];
  /** Every operation, as "GET /orders/{id}". */
  operations: string[];
  /** Operations whose answers declare no 2xx schema (a 204 without content counts as one). */
  withoutSuccessSchema: string[];
  /** Operations that declare no 4xx or 5xx answer. */
  withoutErrorSchema: string[];
}

/**
 * Validates `doc` against the OpenAPI 3 schema (throws, naming what is wrong, when it is not
 * valid) and walks its `paths`. Fastify answers with only what its response schemas declare, so a
 * route without one is easy to miss: `withoutSuccessSchema` lists them.
 */
export async function inspectOpenApi(doc: unknown): Promise<OpenApiReport> {
  // The validator resolves $refs in place: it gets a copy.
  await SwaggerParser.validate(structuredClone(doc) as OpenAPI.Document);
  const { openapi, paths = {} } = doc as {
    openapi: string;
    paths?: Record<
      string,
      Partial<Record<(typeof METHODS)[number], { responses?: Record<string, Response> }>>
    >;
  };
  if (!/^3\.\d+\.\d+$/.test(openapi)) throw new Error(`not an OpenAPI 3 document: openapi is ${openapi}`);
  const report: OpenApiReport = {
    version: openapi,
    paths: Object.keys(paths),
    operations: [],
    withoutSuccessSchema: [],
    withoutErrorSchema: [],
  };
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const name = `${method.toUpperCase()} ${path}`;
      const responses = Object.entries(operation.responses ?? {});
      report.operations.push(name);
      const success = responses.filter(([code]) => /^2(\d\d|XX)$/.test(code));
      if (!success.some(([code, response]) => hasSchema(response) || (code === '204' && !response.content)))
        report.withoutSuccessSchema.push(name);
      if (!responses.some(([code, response]) => /^[45](\d\d|XX)$/.test(code) && hasSchema(response)))
        report.withoutErrorSchema.push(name);
    }
  }
  return report;
}

function hasSchema(response: Response): boolean {
  return Object.values(response.content ?? {}).some((media) => media.schema !== undefined);
}
