// The checkout flow through the generated types:
//   node dist/checkout.js URL ADMIN_KEY CHECKOUT_KEY
import { randomUUID } from 'node:crypto';
import { strict as assert } from 'node:assert';

import { client } from './client.js';
import {
  AddCouponCodesDocument,
  ApplyBestDiscountsDocument,
  ApplyDiscountDocument,
  AvailableDiscountsDocument,
  CreateCampaignDocument,
  CreateCustomerDocument,
  DiscountUsageDocument,
  ReverseDiscountUsageDocument,
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

// A coupon code: 25.00 off delivery, only with the code. A new customer who
// types it in any case gets it together with the 35% campaign above.
const coded = await admin(CreateCampaignDocument, {
  input: {
    name: 'TypeScript client welcome code',
    discountType: 'DELIVERY',
    discountFlat: '25',
    startDate: new Date(Date.now() - day).toISOString(),
    endDate: new Date(Date.now() + 30 * day).toISOString(),
    totalBudget: '1000',
    requiresCode: true,
  },
});
assert.deepEqual(coded.createCampaign.userErrors, []);
const codeCampaign = coded.createCampaign.campaign;
assert.ok(codeCampaign);
const code = `WELCOME-25-${randomUUID().slice(0, 8).toUpperCase()}`; // codes are unique across the service
const { addCouponCodes } = await admin(AddCouponCodesDocument, { input: { campaignId: codeCampaign.id, codes: [code] } });
assert.deepEqual(addCouponCodes.userErrors, []);
assert.equal(addCouponCodes.addedCount, 1);

const shopper = (await checkout(CreateCustomerDocument, { email: `ts-${randomUUID().slice(0, 8)}@example.com`, name: 'Ts code' }))
  .createCustomer.customer;
assert.ok(shopper);
const order = {
  customerId: shopper.id,
  cartValue: '600',
  deliveryCharge: '80',
  couponCodes: [code.toLowerCase()], // matched without regard to case
  orderReference: `order-${randomUUID().slice(0, 12)}`,
  idempotencyKey: `checkout-${randomUUID()}`,
};
const best = (await checkout(ApplyBestDiscountsDocument, { input: order })).applyBestDiscounts;
assert.deepEqual(best.userErrors, []);
const done = best.checkout;
assert.ok(done);
// The best CART offer (35% of 600) and the best DELIVERY one (the code's 25.00 of 80) together.
assert.equal(done.cartDiscount?.discountAmount, '210.00');
assert.equal(done.deliveryDiscount?.campaign.id, codeCampaign.id);
assert.equal(done.deliveryDiscount?.couponCode, code); // stored upper-case
assert.equal(done.totalDiscount, '235.00');
assert.equal(done.totalPayable, '445.00');
assert.deepEqual(done.rejectedCouponCodes, []);
assert.equal(done.usages.length, 2);
const replayed = (await checkout(ApplyBestDiscountsDocument, { input: order })).applyBestDiscounts; // applies nothing more
assert.deepEqual(replayed.checkout?.usages.map((usage) => usage.id), done.usages.map((usage) => usage.id));
console.log(`code checkout ok: ${done.orderReference} saved ${done.totalDiscount}`);

// A refund in two parts: a third customer's order gets the 35% campaign's
// 210.00; half of it goes back to the budget, a retry of that gives back
// nothing more, then the rest does.
const cents = (amount: string) => BigInt(amount.replace('.', '')); // Decimals come with two fraction digits
const money = (value: bigint) => `${value / 100n}.${(value % 100n).toString().padStart(2, '0')}`;
const buyer = (await checkout(CreateCustomerDocument, { email: `ts-${randomUUID().slice(0, 8)}@example.com`, name: 'Ts refund' }))
  .createCustomer.customer;
assert.ok(buyer);
const bought = (await checkout(ApplyDiscountDocument, {
  input: { ...input, customerId: buyer.id, idempotencyKey: `order-${randomUUID()}` },
})).applyDiscount;
assert.deepEqual(bought.userErrors, []);
const usage = bought.usage;
assert.ok(usage);
const half = money(cents(usage.discountAmount) / 2n);
const partial = { usageId: usage.id, amount: half, reason: 'Returned one of two items', idempotencyKey: `refund-${randomUUID()}` };
const first = (await checkout(ReverseDiscountUsageDocument, { input: partial })).reverseDiscountUsage;
assert.deepEqual(first.userErrors, []);
assert.equal(first.reversal?.amount, half);
assert.equal(first.usage?.reversedAmount, half);
assert.equal(first.usage?.isFullyReversed, false);
assert.equal(first.usage?.replayed, false);
const again = (await checkout(ReverseDiscountUsageDocument, { input: partial })).reverseDiscountUsage; // gives back nothing more
assert.equal(again.usage?.replayed, true);
assert.equal(again.reversal?.id, first.reversal?.id);
assert.equal(again.usage?.reversedAmount, half);
const rest = (await checkout(ReverseDiscountUsageDocument, { input: { usageId: usage.id, reason: 'Returned the other item' } }))
  .reverseDiscountUsage; // no amount: all that is left
assert.deepEqual(rest.userErrors, []);
assert.ok(rest.reversal);
assert.equal(rest.usage?.isFullyReversed, true);
assert.equal(rest.usage?.netDiscountAmount, '0.00');
const { discountUsage } = await checkout(DiscountUsageDocument, { id: usage.id });
assert.ok(discountUsage);
assert.equal(discountUsage.reversedAmount, usage.discountAmount);
assert.equal(discountUsage.netDiscountAmount, '0.00');
assert.deepEqual(discountUsage.reversals.map((r) => r.amount), [first.reversal?.amount, rest.reversal.amount]);
console.log(`refund flow ok: ${usage.id} reversed ${first.reversal?.amount} + ${rest.reversal.amount}, net ${discountUsage.netDiscountAmount}`);
