import type { Logger } from '@billing/runtime';
import type { LicensingConfig } from './config';
import { createLicenseSigner, ephemeralSigningKey, type LicenseSigner } from './domain/license-key';

/**
 * The signer from `LICENSE_SIGNING_PRIVATE_KEY`. Without it (never in production: config refuses
 * to start) a throwaway key pair is generated, and every key it signs stops verifying at the
 * next start.
 */
export function loadSigner(
  config: Pick<LicensingConfig, 'signingPrivateKey'>,
  logger: Logger,
): LicenseSigner {
  if (config.signingPrivateKey) return createLicenseSigner(config.signingPrivateKey);
  const signer = createLicenseSigner(ephemeralSigningKey());
  logger.warn(
    { keyId: signer.keyId },
    'LICENSE_SIGNING_PRIVATE_KEY is not set: signing with an EPHEMERAL key pair; licenses issued now will not verify after a restart (development only)',
  );
  return signer;
}
