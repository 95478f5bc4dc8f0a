import path from 'node:path';

/**
 * The package folder (services/notifications). This file sits directly in `src/` (tests) and
 * `dist/` (built), so one level up is the package root either way; templates are read from there
 * rather than copied next to the compiled code.
 */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');

/** The templates shipped with the service. */
export const BUILT_IN_TEMPLATE_DIR = path.join(PACKAGE_ROOT, 'templates');
