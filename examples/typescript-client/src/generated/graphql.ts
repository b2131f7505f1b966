/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Codes chosen by the shop, added to a campaign. */
export type AddCouponCodesInput = {
  /** The campaign; NOT_FOUND when it is not one. */
  campaignId: string;
  /** 1 to 1000 codes, each 4-64 characters of A-Z, 0-9, - and _, stored upper-case; unique across the service (CODE_TAKEN names those that exist), and not repeated in one call. */
  codes: Array<string>;
  /** How many usages each code allows, at least 1; null for unlimited. Default 1. */
  usesPerCode?: number | null | undefined;
};

/** A cart to get the best combination of discounts for, applied in one transaction. */
export type ApplyBestDiscountsInput = {
  /** The value of the goods before any discount, in the shop's currency; at least 0. CART discounts come off it, and every campaign's minCartValue is compared with it. */
  cartValue: string;
  /** At most 5 coupon codes, each 4-64 characters of A-Z, 0-9, - and _, matched without regard to case. A campaign with requiresCode is offered only with one of its codes that is not used up. */
  couponCodes?: Array<string> | null | undefined;
  /** The customer's ID; NOT_FOUND when it is not one. */
  customerId: string;
  /** The delivery charge before any discount, in the shop's currency; at least 0, null counts as 0. DELIVERY discounts come off it. */
  deliveryCharge?: string | null | undefined;
  /** 1-255 characters. The same key with the same input returns the first checkout and applies nothing more; with a different input it is IDEMPOTENCY_KEY_REUSED. */
  idempotencyKey?: string | null | undefined;
  /** The shop's order or checkout id, 1-255 characters: an order holds one CART and one DELIVERY discount at most, and an exclusive one alone. */
  orderReference: string;
};

/** One campaign's discount for one order. */
export type ApplyDiscountInput = {
  /** The campaign to apply, e.g. from availableDiscounts; NOT_FOUND when it is not one. */
  campaignId: string;
  /** The value of the goods before any discount, in the shop's currency; at least 0. CART discounts come off it, and every campaign's minCartValue is compared with it. */
  cartValue: string;
  /** For a campaign with requiresCode: one of its codes, matched without regard to case; INVALID_COUPON_CODE (one answer for unknown, used-up, expired and other customers' codes) otherwise. Other campaigns ignore it. */
  couponCode?: string | null | undefined;
  /** The customer's ID; NOT_FOUND when it is not one. */
  customerId: string;
  /** The delivery charge before any discount, in the shop's currency; at least 0, null counts as 0. DELIVERY discounts come off it. */
  deliveryCharge?: string | null | undefined;
  /** 1-255 characters. The same key with the same input returns the first usage and applies nothing more; with a different input it is IDEMPOTENCY_KEY_REUSED. */
  idempotencyKey?: string | null | undefined;
  /** The shop's order or checkout id, 1-255 characters: an order holds one CART and one DELIVERY discount at most, and an exclusive one alone. */
  orderReference?: string | null | undefined;
};

/** The effective status at read time: INACTIVE if paused; else EXPIRED after endDate; else BUDGET_EXHAUSTED when usedBudget >= totalBudget; else SCHEDULED before startDate; else ACTIVE. */
export type CampaignStatus =
  /** Offered now, to its targets if it is targeted. */
  | 'ACTIVE'
  /** usedBudget has reached totalBudget. */
  | 'BUDGET_EXHAUSTED'
  /** Over: now is after endDate. */
  | 'EXPIRED'
  /** Paused (updateCampaign with active: false); usage history shows deleted ones so. */
  | 'INACTIVE'
  /** Not started: now is before startDate. */
  | 'SCHEDULED';

/** A new campaign; it is validated as a whole and every problem is reported. */
export type CreateCampaignInput = {
  /** 1 to 64. Above 1, hot-campaign mode: for a flash sale whose applies would otherwise queue on the campaign's one row lock. */
  budgetSlots?: number | null | undefined;
  /** At most 2000 characters. */
  description?: string | null | undefined;
  /** A fixed amount off the value discounted, in the shop's currency; greater than 0. */
  discountFlat?: string | null | undefined;
  /** A percentage of the value discounted (35 is 35%); 0 < p <= 100. Give exactly one of this and discountFlat. */
  discountPercentage?: string | null | undefined;
  /** CART to discount the cart value, DELIVERY to discount the delivery charge. */
  discountType: DiscountType;
  /** The last moment the campaign can be used; after startDate. */
  endDate: string;
  /** true when the campaign combines with no other discount on the same order. */
  exclusive?: boolean | null | undefined;
  /** true to offer the campaign only to targetCustomerIds. */
  isTargeted?: boolean | null | undefined;
  /** The most one order's discount can be, in the shop's currency; greater than 0; null for no cap. */
  maxDiscountAmount?: string | null | undefined;
  /** Usages by all customers together; at least 1; null for no cap. */
  maxTotalUsage?: number | null | undefined;
  /** Uses per customer in all; at least 1; null for no lifetime cap. */
  maxUsagePerCustomer?: number | null | undefined;
  /** Uses per customer per business day; at least 1. */
  maxUsagePerCustomerPerDay?: number | null | undefined;
  /** The least cart value an order needs, in the shop's currency (DELIVERY campaigns too); at least 0. */
  minCartValue?: string | null | undefined;
  /** 1 to 255 characters after trimming. */
  name: string;
  /** Breaks ties between offers of equal amount: higher first; -1000000 to 1000000. */
  priority?: number | null | undefined;
  /** true to offer and apply the campaign only with one of its coupon codes. */
  requiresCode?: boolean | null | undefined;
  /** The first moment the campaign can be used. */
  startDate: string;
  /** Customer IDs, each of an existing customer (NOT_FOUND names the others). Required (at least one) on a targeted campaign; refused otherwise. */
  targetCustomerIds?: Array<string> | null | undefined;
  /** The most the campaign gives away in all, in the shop's currency; greater than 0. */
  totalBudget: string;
};

/** CART discounts the cart value; DELIVERY the delivery charge. */
export type DiscountType =
  /** The discount comes off the cart value. */
  | 'CART'
  /** The discount comes off the delivery charge. */
  | 'DELIVERY';

/** Money to give back from a usage to its campaign's budget, e.g. for a refund. */
export type ReverseDiscountUsageInput = {
  /** Greater than 0, at most the usage's netDiscountAmount (REVERSAL_EXCEEDS_USAGE otherwise); left out (or null), all that is not reversed yet. */
  amount?: string | null | undefined;
  /** 1-255 characters. The same key with the same input returns the first reversal and gives back nothing more; with a different input it is IDEMPOTENCY_KEY_REUSED. */
  idempotencyKey?: string | null | undefined;
  /** Why, for the record: 1 to 255 characters after trimming. It can never be edited or erased, so write no personal data into it. */
  reason: string;
  /** The usage, e.g. from applyDiscount; NOT_FOUND when it is not one. */
  usageId: string;
};

/** Why a mutation refused its input. */
export type UserErrorCode =
  /** The campaign's usedBudget has reached its totalBudget. */
  | 'BUDGET_EXHAUSTED'
  /** The campaign is paused, not started yet (see startDate) or over (endDate). */
  | 'CAMPAIGN_NOT_ACTIVE'
  /** A code exists already, on this or another campaign (the message names them). */
  | 'CODE_TAKEN'
  /** The customer used the campaign maxUsagePerCustomer times. */
  | 'CUSTOMER_LIMIT_REACHED'
  /** The customer used the campaign maxUsagePerCustomerPerDay times today. */
  | 'DAILY_LIMIT_REACHED'
  /** Another customer has this email, ignoring case. */
  | 'EMAIL_TAKEN'
  /** Another customer has this externalId. */
  | 'EXTERNAL_ID_TAKEN'
  /** The idempotencyKey was used before with a different input. */
  | 'IDEMPOTENCY_KEY_REUSED'
  /** The coupon code reaches nothing this customer can use now: unknown, used up, of a paused, expired or deleted campaign, or of one targeted at others (one answer for all). */
  | 'INVALID_COUPON_CODE'
  /** A value breaks an input rule (a length, a range, a required value). */
  | 'INVALID_INPUT'
  /** cartValue is below the campaign's minCartValue. */
  | 'MIN_CART_VALUE_NOT_MET'
  /** The value the discount comes off (cart value or delivery charge) is zero. */
  | 'NOTHING_TO_DISCOUNT'
  /** The order already holds a discount of this type or an exclusive one, or the campaign is exclusive and the order holds another discount. */
  | 'NOT_COMBINABLE'
  /** An ID that names no existing object of the type expected; deleted campaigns too. */
  | 'NOT_FOUND'
  /** The campaign is targeted, and the customer is not one of its targets. */
  | 'NOT_TARGETED'
  /** applyBestDiscounts found no discount for the cart; nothing was written. */
  | 'NO_DISCOUNT_APPLIES'
  /** The amount is more than the usage's netDiscountAmount (the message says how much is left; nothing when it is fully reversed). */
  | 'REVERSAL_EXCEEDS_USAGE'
  /** The campaign was used maxTotalUsage times by all customers together. */
  | 'TOTAL_USAGE_LIMIT_REACHED';

export type CreateCampaignMutationVariables = Exact<{
  input: CreateCampaignInput;
}>;


export type CreateCampaignMutation = { createCampaign: { campaign: { id: string, name: string, status: CampaignStatus, discountType: DiscountType, discountPercentage: string | null, discountFlat: string | null, totalBudget: string, usedBudget: string, remainingBudget: string } | null, userErrors: Array<{ field: Array<string> | null, code: UserErrorCode, message: string }> } };

export type PauseCampaignMutationVariables = Exact<{
  id: string;
}>;


export type PauseCampaignMutation = { updateCampaign: { campaign: { id: string, status: CampaignStatus } | null, userErrors: Array<{ field: Array<string> | null, code: UserErrorCode, message: string }> } };

export type AddCouponCodesMutationVariables = Exact<{
  input: AddCouponCodesInput;
}>;


export type AddCouponCodesMutation = { addCouponCodes: { addedCount: number, campaign: { id: string, name: string, requiresCode: boolean } | null, userErrors: Array<{ field: Array<string> | null, code: UserErrorCode, message: string }> } };

export type ActiveCampaignsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ActiveCampaignsQuery = { campaigns: { totalCount: number, nodes: Array<{ id: string, name: string, status: CampaignStatus, usedBudget: string, totalBudget: string }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CreateCustomerMutationVariables = Exact<{
  email: string;
  name: string;
}>;


export type CreateCustomerMutation = { createCustomer: { customer: { id: string, email: string, name: string, createdAt: string } | null, userErrors: Array<{ field: Array<string> | null, code: UserErrorCode, message: string }> } };

export type AvailableDiscountsQueryVariables = Exact<{
  customerId: string;
  cartValue: string;
  deliveryCharge?: string | null | undefined;
}>;


export type AvailableDiscountsQuery = { availableDiscounts: { bestCartDiscount: { discountType: DiscountType, discountAmount: string, finalAmount: string, isBest: boolean, savings: string, campaign: { id: string, name: string } } | null, bestDeliveryDiscount: { discountType: DiscountType, discountAmount: string, finalAmount: string, isBest: boolean, savings: string, campaign: { id: string, name: string } } | null, cartDiscounts: Array<{ discountType: DiscountType, discountAmount: string, finalAmount: string, isBest: boolean, savings: string, campaign: { id: string, name: string } }>, deliveryDiscounts: Array<{ discountType: DiscountType, discountAmount: string, finalAmount: string, isBest: boolean, savings: string, campaign: { id: string, name: string } }> } };

export type OfferFragment = { discountType: DiscountType, discountAmount: string, finalAmount: string, isBest: boolean, savings: string, campaign: { id: string, name: string } };

export type ApplyDiscountMutationVariables = Exact<{
  input: ApplyDiscountInput;
}>;


export type ApplyDiscountMutation = { applyDiscount: { usage: { id: string, discountType: DiscountType, originalAmount: string, discountAmount: string, finalAmount: string, usedAt: string, campaign: { id: string, name: string } } | null, userErrors: Array<{ field: Array<string> | null, code: UserErrorCode, message: string }> } };

export type ApplyBestDiscountsMutationVariables = Exact<{
  input: ApplyBestDiscountsInput;
}>;


export type ApplyBestDiscountsMutation = { applyBestDiscounts: { checkout: { orderReference: string | null, cartValue: string, deliveryCharge: string, totalDiscount: string, totalPayable: string, rejectedCouponCodes: Array<string>, cartDiscount: { couponCode: string | null, discountType: DiscountType, discountAmount: string, finalAmount: string, isBest: boolean, savings: string, campaign: { id: string, name: string } } | null, deliveryDiscount: { couponCode: string | null, discountType: DiscountType, discountAmount: string, finalAmount: string, isBest: boolean, savings: string, campaign: { id: string, name: string } } | null, usages: Array<{ id: string, discountType: DiscountType, discountAmount: string, couponCode: string | null, orderReference: string | null, campaign: { id: string, name: string } }> } | null, userErrors: Array<{ field: Array<string> | null, code: UserErrorCode, message: string }> } };

export type UsageHistoryQueryVariables = Exact<{
  customerId: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type UsageHistoryQuery = { discountUsages: { totalCount: number, nodes: Array<{ id: string, discountAmount: string, finalAmount: string, usedAt: string, campaign: { name: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ReverseDiscountUsageMutationVariables = Exact<{
  input: ReverseDiscountUsageInput;
}>;


export type ReverseDiscountUsageMutation = { reverseDiscountUsage: { reversal: { id: string, amount: string, reason: string, reversedAt: string } | null, usage: { id: string, discountAmount: string, reversedAmount: string, netDiscountAmount: string, isFullyReversed: boolean, replayed: boolean } | null, userErrors: Array<{ field: Array<string> | null, code: UserErrorCode, message: string }> } };

export type DiscountUsageQueryVariables = Exact<{
  id: string;
}>;


export type DiscountUsageQuery = { discountUsage: { id: string, discountAmount: string, reversedAmount: string, netDiscountAmount: string, isFullyReversed: boolean, reversals: Array<{ amount: string, reason: string, reversedAt: string }> } | null };

export const OfferFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Offer"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DiscountOffer"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"campaign"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"discountType"}},{"kind":"Field","name":{"kind":"Name","value":"discountAmount"}},{"kind":"Field","name":{"kind":"Name","value":"finalAmount"}},{"kind":"Field","name":{"kind":"Name","value":"isBest"}},{"kind":"Field","name":{"kind":"Name","value":"savings"}}]}}]} as unknown as DocumentNode<OfferFragment, unknown>;
export const CreateCampaignDocument = {"__meta__":{"hash":"7bf1db1de3f5e1f6931306b3a0800ec4cac1c684c58ff89e51f18942bc9754dd"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateCampaign"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateCampaignInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCampaign"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"campaign"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"discountType"}},{"kind":"Field","name":{"kind":"Name","value":"discountPercentage"}},{"kind":"Field","name":{"kind":"Name","value":"discountFlat"}},{"kind":"Field","name":{"kind":"Name","value":"totalBudget"}},{"kind":"Field","name":{"kind":"Name","value":"usedBudget"}},{"kind":"Field","name":{"kind":"Name","value":"remainingBudget"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<CreateCampaignMutation, CreateCampaignMutationVariables>;
export const PauseCampaignDocument = {"__meta__":{"hash":"65755d96b8ae58e41ddf1c14faf84e7092cf3be41a88712518993dbc3a890a38"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PauseCampaign"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateCampaign"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"active"},"value":{"kind":"BooleanValue","value":false}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"campaign"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<PauseCampaignMutation, PauseCampaignMutationVariables>;
export const AddCouponCodesDocument = {"__meta__":{"hash":"aaabdeec7f9b3d760641382d11483c9bea2d7bea26e7bff7f3e4df5b0393a64c"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AddCouponCodes"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AddCouponCodesInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addCouponCodes"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addedCount"}},{"kind":"Field","name":{"kind":"Name","value":"campaign"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"requiresCode"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<AddCouponCodesMutation, AddCouponCodesMutationVariables>;
export const ActiveCampaignsDocument = {"__meta__":{"hash":"75d7a512153c9ef1e543ff59c5158b5ed92b97be2b3a372d4c665035323e4238"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ActiveCampaigns"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"campaigns"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"status"},"value":{"kind":"EnumValue","value":"ACTIVE"}}]}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"usedBudget"}},{"kind":"Field","name":{"kind":"Name","value":"totalBudget"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ActiveCampaignsQuery, ActiveCampaignsQueryVariables>;
export const CreateCustomerDocument = {"__meta__":{"hash":"35fb8f7cef1ba5aad83f23bd7414e930a12df9a1f443bc725a6e86d4bf039b0d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateCustomer"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"email"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCustomer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"email"},"value":{"kind":"Variable","name":{"kind":"Name","value":"email"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"customer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"email"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<CreateCustomerMutation, CreateCustomerMutationVariables>;
export const AvailableDiscountsDocument = {"__meta__":{"hash":"13e1faf06df43f9ac33b64c798c29f07fc958ac6d9ebc1c3dbfcf730fc6f9990"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AvailableDiscounts"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"customerId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cartValue"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Decimal"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"deliveryCharge"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Decimal"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"availableDiscounts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"customerId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"customerId"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"cartValue"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cartValue"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"deliveryCharge"},"value":{"kind":"Variable","name":{"kind":"Name","value":"deliveryCharge"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"bestCartDiscount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Offer"}}]}},{"kind":"Field","name":{"kind":"Name","value":"bestDeliveryDiscount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Offer"}}]}},{"kind":"Field","name":{"kind":"Name","value":"cartDiscounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Offer"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryDiscounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Offer"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Offer"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DiscountOffer"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"campaign"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"discountType"}},{"kind":"Field","name":{"kind":"Name","value":"discountAmount"}},{"kind":"Field","name":{"kind":"Name","value":"finalAmount"}},{"kind":"Field","name":{"kind":"Name","value":"isBest"}},{"kind":"Field","name":{"kind":"Name","value":"savings"}}]}}]} as unknown as DocumentNode<AvailableDiscountsQuery, AvailableDiscountsQueryVariables>;
export const ApplyDiscountDocument = {"__meta__":{"hash":"8d564932a1d2a7debeb7dfe550ff97c443a4208dedb602556780291c09e91472"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ApplyDiscount"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ApplyDiscountInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"applyDiscount"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"discountType"}},{"kind":"Field","name":{"kind":"Name","value":"originalAmount"}},{"kind":"Field","name":{"kind":"Name","value":"discountAmount"}},{"kind":"Field","name":{"kind":"Name","value":"finalAmount"}},{"kind":"Field","name":{"kind":"Name","value":"usedAt"}},{"kind":"Field","name":{"kind":"Name","value":"campaign"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<ApplyDiscountMutation, ApplyDiscountMutationVariables>;
export const ApplyBestDiscountsDocument = {"__meta__":{"hash":"4617c6d620dee9c56dfb987b1a038fd97dcad12504ea76c4b35f0a9189bc8687"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ApplyBestDiscounts"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ApplyBestDiscountsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"applyBestDiscounts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"checkout"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderReference"}},{"kind":"Field","name":{"kind":"Name","value":"cartValue"}},{"kind":"Field","name":{"kind":"Name","value":"deliveryCharge"}},{"kind":"Field","name":{"kind":"Name","value":"cartDiscount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Offer"}},{"kind":"Field","name":{"kind":"Name","value":"couponCode"}}]}},{"kind":"Field","name":{"kind":"Name","value":"deliveryDiscount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"Offer"}},{"kind":"Field","name":{"kind":"Name","value":"couponCode"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usages"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"discountType"}},{"kind":"Field","name":{"kind":"Name","value":"discountAmount"}},{"kind":"Field","name":{"kind":"Name","value":"couponCode"}},{"kind":"Field","name":{"kind":"Name","value":"orderReference"}},{"kind":"Field","name":{"kind":"Name","value":"campaign"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"totalDiscount"}},{"kind":"Field","name":{"kind":"Name","value":"totalPayable"}},{"kind":"Field","name":{"kind":"Name","value":"rejectedCouponCodes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"Offer"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DiscountOffer"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"campaign"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"discountType"}},{"kind":"Field","name":{"kind":"Name","value":"discountAmount"}},{"kind":"Field","name":{"kind":"Name","value":"finalAmount"}},{"kind":"Field","name":{"kind":"Name","value":"isBest"}},{"kind":"Field","name":{"kind":"Name","value":"savings"}}]}}]} as unknown as DocumentNode<ApplyBestDiscountsMutation, ApplyBestDiscountsMutationVariables>;
export const UsageHistoryDocument = {"__meta__":{"hash":"60e6a50c18e980b6c327e68da7d92b88a7a5c53a2df68c8fb4ecba1f89a13288"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"UsageHistory"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"customerId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"discountUsages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"customerId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"customerId"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"discountAmount"}},{"kind":"Field","name":{"kind":"Name","value":"finalAmount"}},{"kind":"Field","name":{"kind":"Name","value":"usedAt"}},{"kind":"Field","name":{"kind":"Name","value":"campaign"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<UsageHistoryQuery, UsageHistoryQueryVariables>;
export const ReverseDiscountUsageDocument = {"__meta__":{"hash":"e5d03f10722acd01189782d2119c7ece52afd99e43e0cfbcb21c4180f09d9e37"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReverseDiscountUsage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReverseDiscountUsageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reverseDiscountUsage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reversal"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"reversedAt"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"discountAmount"}},{"kind":"Field","name":{"kind":"Name","value":"reversedAmount"}},{"kind":"Field","name":{"kind":"Name","value":"netDiscountAmount"}},{"kind":"Field","name":{"kind":"Name","value":"isFullyReversed"}},{"kind":"Field","name":{"kind":"Name","value":"replayed"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<ReverseDiscountUsageMutation, ReverseDiscountUsageMutationVariables>;
export const DiscountUsageDocument = {"__meta__":{"hash":"42b79d70d274b7802b4842a0a740994dd88c27c47db96f432210301acc57036e"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DiscountUsage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"discountUsage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"discountAmount"}},{"kind":"Field","name":{"kind":"Name","value":"reversedAmount"}},{"kind":"Field","name":{"kind":"Name","value":"netDiscountAmount"}},{"kind":"Field","name":{"kind":"Name","value":"isFullyReversed"}},{"kind":"Field","name":{"kind":"Name","value":"reversals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"reversedAt"}}]}}]}}]}}]} as unknown as DocumentNode<DiscountUsageQuery, DiscountUsageQueryVariables>;