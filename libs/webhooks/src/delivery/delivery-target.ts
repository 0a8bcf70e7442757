// The URL rules of docs/api.md (Webhooks), checked again before every attempt: the address a name resolves to
// may have changed since the subscription was made, and so may the deployment's policy.
import { ValidationFailedError } from '@keyward/platform';
import { checkWebhookUrl, type AddressResolver, type WebhookUrlPolicy } from '../domain/webhook-url';

export type DeliveryTarget =
  /** `addresses`: what the name resolved to and was checked; null when the URL names an address. */
  { allowed: true; url: URL; addresses: readonly string[] | null } | { allowed: false; reason: string };

/**
 * Resolves the URL's host once and checks the answer; the caller connects to exactly those
 * addresses, so a second lookup cannot swap in another one (DNS rebinding).
 */
export async function checkDeliveryTarget(rawUrl: string, policy: WebhookUrlPolicy, resolve: AddressResolver): Promise<DeliveryTarget> {
  let resolved: string[] | null = null;
  const resolveOnce: AddressResolver = async (hostname) => (resolved = await resolve(hostname));
  try {
    const url = await checkWebhookUrl(rawUrl, policy, resolveOnce);
    return { allowed: true, url, addresses: resolved };
  } catch (error) {
    if (!(error instanceof ValidationFailedError)) throw error;
    return { allowed: false, reason: `URL refused: ${error.fieldErrors.map((field) => field.message).join('; ')}` };
  }
}
