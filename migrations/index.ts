// The ordered list of migrations; listed explicitly so the same code runs from src and dist.
import { Foundation1763870000000 } from './1763870000000-foundation';
import { AuditLog1763880000000 } from './1763880000000-audit-log';
import { Webhooks1763890000000 } from './1763890000000-webhooks';
import { KeysAndPolicy1763890000001 } from './1763890000001-keys-and-policy';
import { VerifyCounters1763900000000 } from './1763900000000-verify-counters';
import { WebhookOutboxAndEscrow1763910000000 } from './1763910000000-webhook-outbox-and-escrow';
import { ExpiryAndUnusedAudit1763910000001 } from './1763910000001-expiry-and-unused-audit';
import { WebhookDeliveryFunctions1763910000002 } from './1763910000002-webhook-delivery-functions';
import { ScheduledRotation1763910000003 } from './1763910000003-scheduled-rotation';
import { ExactCredits1765000000000 } from './1765000000000-exact-credits';
import { WebhookBacklog1765100000000 } from './1765100000000-webhook-backlog';
import { Retention1765100000001 } from './1765100000001-retention';
import { KeyModelV21765500000000 } from './1765500000000-key-model-v2';
import { AuditCheckpoints1766000000000 } from './1766000000000-audit-checkpoints';
import { LeakedKeys1766100000000 } from './1766100000000-leaked-keys';
import { Roles1766200000000 } from './1766200000000-roles';
import { UsageSignals1766400000000 } from './1766400000000-usage-signals';
import { WebhookDeliveryTrace1766500000000 } from './1766500000000-webhook-delivery-trace';

export const MIGRATIONS = [
  Foundation1763870000000,
  AuditLog1763880000000,
  Webhooks1763890000000,
  KeysAndPolicy1763890000001,
  VerifyCounters1763900000000,
  WebhookOutboxAndEscrow1763910000000,
  ExpiryAndUnusedAudit1763910000001,
  WebhookDeliveryFunctions1763910000002,
  ScheduledRotation1763910000003,
  ExactCredits1765000000000,
  WebhookBacklog1765100000000,
  Retention1765100000001,
  KeyModelV21765500000000,
  AuditCheckpoints1766000000000,
  LeakedKeys1766100000000,
  Roles1766200000000,
  UsageSignals1766400000000,
  WebhookDeliveryTrace1766500000000,
];
