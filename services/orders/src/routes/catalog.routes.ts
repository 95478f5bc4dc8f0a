import { Type } from '@sinclair/typebox';
import type { HttpApp } from '@billing/runtime';
import type { FastifyRequest } from 'fastify';
import {
  CatalogProductCreate,
  CatalogProductFields,
  CatalogProductView,
  Sku,
} from '../catalog/catalog.schema';
import type { CatalogService } from '../catalog/catalog-service';
import { decodeCursor, encodeCursor } from './cursor';
import { ErrorBody, errorResponses } from './schemas';
import { productView } from './views';

const SkuParams = Type.Object({ sku: Sku });

/** Catalog CRUD and stock adjustments under `/catalog/products`. */
export function registerCatalogRoutes(
  app: HttpApp,
  deps: { catalog: CatalogService; auth: (request: FastifyRequest) => Promise<void> },
): void {
  const tags = ['catalog'];
  app.get(
    '/catalog/products',
    {
      onRequest: deps.auth,
      schema: {
        summary: 'Catalog products by sku',
        tags,
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          cursor: Type.Optional(Type.String({ maxLength: 1000 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(CatalogProductView),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = cursor ? decodeCursor(cursor, ['sku'] as const).sku : undefined;
      const products = await deps.catalog.list(limit + 1, after);
      const items = products.slice(0, limit);
      const last = items[items.length - 1];
      return {
        items: items.map(productView),
        nextCursor: products.length > limit && last ? encodeCursor({ sku: last.sku }) : null,
      };
    },
  );

  app.get(
    '/catalog/products/:sku',
    {
      onRequest: deps.auth,
      schema: {
        summary: 'One catalog product',
        tags,
        params: SkuParams,
        response: { 200: CatalogProductView, ...errorResponses },
      },
    },
    async (request) => productView(await deps.catalog.get(request.params.sku)),
  );

  app.post(
    '/catalog/products',
    {
      onRequest: deps.auth,
      schema: {
        summary: 'Adds a product; `stock` is the opening stock of a physical product',
        tags,
        body: CatalogProductCreate,
        response: { 201: CatalogProductView, 409: ErrorBody, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(productView(await deps.catalog.create(request.body))),
  );

  app.put(
    '/catalog/products/:sku',
    {
      onRequest: deps.auth,
      schema: {
        summary: 'Replaces a product’s fields (stock changes go through stock adjustments)',
        tags,
        params: SkuParams,
        body: CatalogProductFields,
        response: { 200: CatalogProductView, ...errorResponses },
      },
    },
    async (request) => productView(await deps.catalog.replace(request.params.sku, request.body)),
  );

  app.delete(
    '/catalog/products/:sku',
    {
      onRequest: deps.auth,
      schema: {
        summary: 'Removes a product; existing orders keep their copy of it',
        tags,
        params: SkuParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deps.catalog.remove(request.params.sku);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/catalog/products/:sku/stock-adjustments',
    {
      onRequest: deps.auth,
      schema: {
        summary: 'Adds (positive delta) or removes (negative) units of a physical product',
        tags,
        params: SkuParams,
        body: Type.Object(
          {
            delta: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, not: { const: 0 } }),
            note: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ sku: Type.String(), delta: Type.Integer(), stock: Type.Integer() }),
          409: ErrorBody,
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { sku } = request.params;
      const { movement, stock } = await deps.catalog.adjustStock(
        sku,
        request.body.delta,
        request.body.note ?? null,
      );
      return reply.status(201).send({ sku, delta: movement.delta, stock });
    },
  );
}
