import { useLicensing } from './harness';
import { PRODUCTS, issue, purchase } from './one-time';

describe('licenses of several Stripe accounts', () => {
  const h = useLicensing({ LICENSING_PRODUCTS: PRODUCTS });

  it("stores the order's account and Connect account on each license it issues", async () => {
    const eu = purchase('eu@example.com');
    const home = purchase('home@example.com');
    const euLicenses = await issue(h, { ...eu.order, account: 'eu', stripeAccount: 'acct_1EuShop' });
    const homeLicenses = await issue(h, home.order);
    const licenses = h.infra.db.collection('licenses');
    const stored = async (id: string) => licenses.findOne({ _id: id as never });

    for (const { licenseId } of euLicenses) {
      expect(await stored(licenseId)).toMatchObject({ account: 'eu', stripeAccount: 'acct_1EuShop' });
    }
    const homeLicense = await stored(homeLicenses[0]!.licenseId);
    expect(homeLicense).toMatchObject({ customerEmail: 'home@example.com' });
    expect(homeLicense).not.toHaveProperty('account');
    expect(homeLicense).not.toHaveProperty('stripeAccount');
  });
});
