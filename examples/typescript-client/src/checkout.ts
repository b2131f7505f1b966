// The checkout flow through the generated types:
//   node dist/checkout.js URL ADMIN_KEY CHECKOUT_KEY
import { randomUUID } from 'node:crypto';
import { strict as assert } from 'node:assert';

import { client } from './client.js';
import {
  ApplyDiscountDocument,
  AvailableDiscountsDocument,
  CreateCampaignDocument,
  CreateCustomerDocument,
  UsageHistoryDocument,
} from './generated/graphql.js';

const [url, adminKey, checkoutKey] = process.argv.slice(2);
if (!url || !adminKey || !checkoutKey) throw new Error('usage: checkout.js URL ADMIN_KEY CHECKOUT_KEY');
const admin = client(url, adminKey);
const checkout = client(url, checkoutKey);
const day = 24 * 3600 * 1000;

const created = await admin(CreateCampaignDocument, {
  input: {
    name: 'TypeScript client sale',
    discountType: 'CART',
    discountPercentage: '35',
    startDate: new Date(Date.now() - day).toISOString(),
    endDate: new Date(Date.now() + 30 * day).toISOString(),
    totalBudget: '1000',
  },
});
assert.deepEqual(created.createCampaign.userErrors, []);
const campaign = created.createCampaign.campaign;
assert.ok(campaign);

const { createCustomer } = await checkout(CreateCustomerDocument, {
  email: `ts-${randomUUID().slice(0, 8)}@example.com`,
  name: 'Ts',
});
const customer = createCustomer.customer;
assert.ok(customer);

const { availableDiscounts } = await checkout(AvailableDiscountsDocument, {
  customerId: customer.id,
  cartValue: '600',
  deliveryCharge: '80',
});
// Other campaigns may be live too: ours must be offered, and the best offer at least as good.
const ours = availableDiscounts.cartDiscounts.find((offer) => offer.campaign.id === campaign.id);
assert.ok(ours);
assert.equal(ours.discountAmount, '210.00'); // a string: exact to the cent
assert.equal(ours.savings, '35% off (210.00)');
assert.ok(Number(availableDiscounts.bestCartDiscount?.discountAmount) >= 210);

const input = {
  campaignId: ours.campaign.id,
  customerId: customer.id,
  cartValue: '600',
  deliveryCharge: '80',
  idempotencyKey: `order-${randomUUID()}`,
};
const applied = await checkout(ApplyDiscountDocument, { input });
assert.deepEqual(applied.applyDiscount.userErrors, []);
const retried = await checkout(ApplyDiscountDocument, { input });
assert.equal(retried.applyDiscount.usage?.id, applied.applyDiscount.usage?.id);

const { discountUsages } = await checkout(UsageHistoryDocument, { customerId: customer.id, first: 10 });
assert.equal(discountUsages.totalCount, 1);
assert.equal(discountUsages.nodes[0]?.finalAmount, '390.00');
console.log(`checkout flow ok: ${applied.applyDiscount.usage?.id} saved ${applied.applyDiscount.usage?.discountAmount}`);
