import type { FastifyInstance } from 'fastify';
import { formOf } from '../http/forms';
import type { LicenseAction } from '../upstream/services';
import { href } from '../views/components';
import { licenseView, licensesSearchView } from '../views/licenses.view';
import { act, queryParam, renderPage, seeOther, sessionOf, type RouteDeps } from './context';

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const ACTIONS: readonly LicenseAction[] = ['suspend', 'reinstate', 'revoke'];

/** `GET /licenses?q=`, `GET /licenses/:id`, `POST /licenses/:id/{suspend,reinstate,revoke}`. */
export function registerLicensePages(app: FastifyInstance, deps: RouteDeps): void {
  app.get('/licenses', async (request, reply) => {
    const q = (queryParam(request, 'q') ?? '').trim();
    if (EMAIL.test(q)) {
      const licenses = await deps.api.licensing.licensesOf({ email: q.toLowerCase() });
      return renderPage(request, reply, {
        title: `Licenses of ${q.toLowerCase()}`,
        section: 'licenses',
        body: licensesSearchView(q, licenses),
      });
    }
    const found = q ? await deps.api.licensing.license(q) : null;
    if (found) return seeOther(reply, href(['licenses', found.license.licenseId]));
    return renderPage(
      request,
      reply,
      { title: 'Licenses', section: 'licenses', body: licensesSearchView(q, null) },
      q ? 404 : 200,
    );
  });

  app.get('/licenses/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const found = await deps.api.licensing.license(id);
    if (!found) {
      return renderPage(
        request,
        reply,
        { title: 'License not found', section: 'licenses', body: licensesSearchView(id, null) },
        404,
      );
    }
    return renderPage(request, reply, {
      title: `License ${found.license.licenseId}`,
      section: 'licenses',
      body: licenseView({ ...found, csrf: sessionOf(request).csrf }),
    });
  });

  app.post('/licenses/:id/:action', async (request, reply) => {
    const { id, action } = request.params as { id: string; action: string };
    const back = href(['licenses', id]);
    if (!ACTIONS.includes(action as LicenseAction)) return seeOther(reply, back);
    // Revoking is final: the form asks for a tick first (also without the browser's `required`).
    if (action === 'revoke' && formOf(request.body).confirm !== 'yes') {
      return seeOther(reply, `${back}?failed=confirmation_required&by=dashboard`);
    }
    return act(reply, back, `license_${action as LicenseAction}`, async () => {
      await deps.api.licensing.change(id, action as LicenseAction);
      request.log.info({ licenseId: id, action }, 'license changed by operator');
    });
  });
}
