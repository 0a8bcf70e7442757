import { NotFoundError } from '@keyward/platform';
import type { WebhookEventType } from './webhook-events';

/** A subscription as the API shows it; its signing secret is never part of it. */
export interface Webhook {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly events: WebhookEventType[];
  readonly createdAt: Date;
}

/** A subscription just made, with its signing secret, which exists only in this value and its response. */
export interface CreatedWebhook {
  readonly webhook: Webhook;
  readonly secret: string;
}

export class WebhookNotFoundError extends NotFoundError {
  constructor() {
    super('The webhook');
  }
}
