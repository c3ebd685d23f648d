import type { Alert, SubscriptionFilters, Trigger } from './domain/alerts.js';

// What the alert and subscription routes answer, and the limits their requests are held to:
// free of the service's imports, so that the desk types its calls with these very shapes.

/** As src/alerts/http/subscription.requests.ts checks them. */
export const SUBSCRIPTION_LIMITS = { description: 200, url: 2000, region: 200, tags: 50, tag: 100, ids: 200 } as const;

export type Target = { kind: 'desk' } | { kind: 'webhook'; url: string };

/** A subscription as its routes answer it (never with its secret, which only its creation shows). */
export interface SubscriptionResponse {
  id: string;
  version: number;
  /** The name of the API key that subscribed: it sees and manages it (and admins, all). */
  owner: string;
  target: Target;
  filters: SubscriptionFilters;
  triggers: Trigger[];
  description?: string;
  status: 'active' | 'paused';
  pausedReason?: string;
  createdAt: string;
  updatedAt: string;
}

/** An alert as its subscriber reads it: worded for them, with its place in the outbox. */
export type AlertResponse = Alert & {
  id: string;
  /** Counts up across the outbox: a subscription's alerts come in this order. */
  seq: number;
  subscriptionId: string;
  createdAt: string;
};

/** One attempt at a delivery, as its log keeps it. */
export interface Attempt {
  at: string;
  /** The receiver's status; absent when it never answered. */
  statusCode?: number;
  latencyMs: number;
  error?: string;
  /** The first characters of the receiver's answer, no more. */
  responseExcerpt?: string;
}

export interface DeliveryResponse {
  id: string;
  seq: number;
  alert: AlertResponse;
  status: 'pending' | 'delivered';
  attempts: Attempt[];
  createdAt: string;
  deliveredAt?: string;
  nextAttemptAt?: string;
}

/** A page of what is listed newest first. */
export interface Page<T> {
  items: T[];
  /** The `before` of the next page back; null on the oldest. */
  nextBefore: number | null;
}
