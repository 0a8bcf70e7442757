// Generated from docs/openapi/admin-api.json by packages/sdk/scripts/generate-types.mjs (npm run sdk:generate): do not edit.
export interface paths {
  '/v1/tenants': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List tenants
     * @description Every tenant, oldest first, a page at a time.
     *
     *     Callers: the platform operator.
     */
    get: operations['listTenants'];
    put?: never;
    /**
     * Create a tenant
     * @description Creates an active tenant. It has no credentials yet: issue its first admin credential with createTenantCredential. Audited as tenant.created.
     *
     *     Callers: the platform operator.
     */
    post: operations['createTenant'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/tenants/{tenantId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get a tenant
     * @description One tenant, with its status.
     *
     *     Callers: the platform operator.
     */
    get: operations['getTenant'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/tenants/{tenantId}/suspend': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Suspend a tenant
     * @description While a tenant is suspended its keys verify as DISABLED and its admin and auditor credentials get 403 TENANT_SUSPENDED; in force on every verify process within 1 second. Idempotent. Audited as tenant.suspended.
     *
     *     Callers: the platform operator.
     */
    post: operations['suspendTenant'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/tenants/{tenantId}/resume': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Resume a suspended tenant
     * @description Makes a suspended tenant active again: its keys and credentials work as before. Idempotent. Audited as tenant.resumed.
     *
     *     Callers: the platform operator.
     */
    post: operations['resumeTenant'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/tenants/{tenantId}/credentials': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List a tenant's credentials
     * @description The tenant's credentials, revoked ones included, a page at a time; never their tokens.
     *
     *     Callers: the platform operator.
     */
    get: operations['listTenantCredentials'];
    put?: never;
    /**
     * Issue a tenant's credential
     * @description Issues a credential of the tenant with the given role; a new tenant's first admin credential is made this way. The token is in this response only. Audited as credential.created in the tenant's log.
     *
     *     Callers: the platform operator.
     */
    post: operations['createTenantCredential'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/credentials': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List your tenant's credentials
     * @description The caller's tenant's credentials, revoked ones included, a page at a time; never their tokens.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    get: operations['listCredentials'];
    put?: never;
    /**
     * Issue a credential of your tenant
     * @description Issues a credential of the caller's tenant with the given role: `admin`, `auditor`, or `verifier` for the services that call POST /v1/verify. The token is in this response only. Audited as credential.created.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    post: operations['createCredential'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/credentials/{credentialId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Revoke a credential
     * @description Revokes a credential of the caller's tenant: its token stops working at once on the admin API and within 1 second on every verify process. Idempotent. Audited as credential.revoked.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    delete: operations['revokeCredential'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit-events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List your tenant's audit events
     * @description The caller's tenant's audit events in chain order (seq ascending), a page at a time, optionally between `from` and `to`, of one action, about one key or by one actor.
     *
     *     Callers: tenant credentials with the role `admin` or `auditor`.
     */
    get: operations['listAuditEvents'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit-events/export': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Export your tenant's audit events
     * @description Streams every matching event as NDJSON (one event per line, as listAuditEvents returns them, so that the chain can be re-checked offline) or as CSV with a header row.
     *
     *     Callers: tenant credentials with the role `admin` or `auditor`.
     */
    get: operations['exportAuditEvents'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit-events/verify': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Verify your tenant's audit chain
     * @description Recomputes every event's hash from its predecessor's: `{valid: true, count, headHash}` when the chain holds, else `{valid: false, brokenAtSeq}` with the first event that does not verify. With `checkpointSeq` and `checkpointHash` (of a checkpoint kept earlier) it adds `extendsCheckpoint`: true only when the chain holds and its event at `checkpointSeq` has exactly that hash, so a history rewritten after the checkpoint is found even if every hash was recomputed.
     *
     *     Callers: tenant credentials with the role `admin` or `auditor`.
     */
    get: operations['verifyAuditChain'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit-events/checkpoint': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A signed checkpoint of your tenant's audit chain
     * @description The chain's head now, `{tenantId, seq, headHash, issuedAt, keyId}`, signed with Ed25519 (`signature`, base64url, over the RFC 8785 canonical JSON of those five fields) by the key `keyId` of GET /v1/audit-events/keys. Keep it: a later export, or verifyAuditChain with checkpointSeq and checkpointHash, proves that the chain still extends it.
     *
     *     Callers: tenant credentials with the role `admin` or `auditor`.
     */
    get: operations['getAuditCheckpoint'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit-events/checkpoints': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List the checkpoints kept of your tenant's audit chain
     * @description The signed checkpoints the service keeps each hour for a chain that has moved since its last one, in seq order, a page at a time.
     *
     *     Callers: tenant credentials with the role `admin` or `auditor`.
     */
    get: operations['listAuditCheckpoints'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit-events/keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The public keys that sign audit checkpoints (JWKS)
     * @description A JSON Web Key Set of Ed25519 keys (`kty` OKP, `crv` Ed25519, `alg` EdDSA), each named by its RFC 7638 thumbprint: the current key and every one it replaced, so that checkpoints signed before a rotation stay verifiable.
     *
     *     Callers: tenant credentials with the role `admin` or `auditor`.
     */
    get: operations['getAuditSigningKeys'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List your tenant's keys
     * @description The caller's tenant's keys, newest first, a page at a time, optionally of one owner or in one status; never their secrets.
     *
     *     Callers: tenant credentials with the role `admin` or `auditor`.
     */
    get: operations['listKeys'];
    put?: never;
    /**
     * Issue an API key
     * @description Issues a key of the caller's tenant: `<prefix>_<environment>_` and 38 base62 characters, the last 6 a checksum. The plaintext `key` is in this response only; it is stored as a keyed hash. The key verifies from the moment this answer is sent. Audited as key.created.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    post: operations['createKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/keys/{keyId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get a key
     * @description One key of the caller's tenant; never its secret.
     *
     *     Callers: tenant credentials with the role `admin` or `auditor`.
     */
    get: operations['getKey'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /**
     * Change a key
     * @description Changes the fields given, and only those; `null` clears expiresAt, rateLimit, remaining, ipAllowlist and rotation, and `enabled: false` disables the key. In force on every verify process within 1 second. A revoked key cannot be changed. Audited as key.updated (key.disabled, key.enabled).
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    patch: operations['updateKey'];
    trace?: never;
  };
  '/v1/keys/{keyId}/usage': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get a key's usage
     * @description Verifications of the key by hour or day and by code, between `from` and `to`: every verification counted once, within 5 seconds.
     *
     *     Callers: tenant credentials with the role `admin` or `auditor`.
     */
    get: operations['getKeyUsage'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/keys/{keyId}/rotate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Rotate a key
     * @description Issues a successor with the same name, owner, scopes, roles, meta and limits; the old key keeps working until its grace period ends (then it is EXPIRED). The successor's plaintext `key` is in this response only. The body may be left out. Audited as key.rotated.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    post: operations['rotateKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/keys/{keyId}/reveal': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Reveal a key made by scheduled rotation
     * @description The plaintext of a successor made by scheduled rotation, which no one has seen: once, until its predecessor's grace period ends (at least 60 seconds after the rotation); then it is gone for good. Audited as key.revealed.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    post: operations['revealKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/keys/{keyId}/revoke': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Revoke a key
     * @description Revokes the key for good: verify answers REVOKED on every verify process within 1 second. Idempotent. The body may be left out. Audited as key.revoked.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    post: operations['revokeKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/keys/{keyId}/leaked': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Report a key as leaked
     * @description Applies the tenant policy's leakedKeyAction at once: `revoke` (the default; verify answers REVOKED on every verify process within 1 second), `disable`, or `report` (nothing changes). Audited as key.leaked `{url, source, action}` (and key.revoked or key.disabled when the key changed); webhook key.leaked. A revoked key can be reported again. The body may be left out.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    post: operations['reportKeyLeaked'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/secret-scanning/github': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Receive a GitHub secret scanning report
     * @description The endpoint of GitHub's secret scanning partner program: up to 1000 tokens found in public places. Each that is a key or credential of this deployment is handled at once: a key as its tenant policy says (leakedKeyAction: revoke, disable or report; audited as key.leaked, webhook key.leaked), a credential revoked (audited as credential.leaked). The answer labels every token. No credential: the request is signed by GitHub (ECDSA P-256 SHA-256 over the raw body, checked against the keys at KEYWARD_GITHUB_KEYS_URL). Limited to 600 requests a minute per client address. See docs/secret-scanning.md.
     *
     *     Callers: GitHub's secret scanning, by signature.
     */
    post: operations['reportLeakedTokensFromGithub'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/keys/{keyId}/credits': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Change a key's credits
     * @description increment or decrement the balance atomically against concurrent verifications (a top-up never loses a charge made at the same moment), or set it. Audited as key.credits_changed with the op and amount.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    post: operations['changeKeyCredits'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/owners/{ownerId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get an owner
     * @description One owner of the caller's tenant.
     *
     *     Callers: tenant credentials with the role `admin` or `auditor`.
     */
    get: operations['getOwner'];
    /**
     * Create or replace an owner
     * @description Makes the owner, or replaces its name, meta and limits: every key with this ownerId, made before or after, shares its limits and credits. Credits left out, or the same as the owner shows, keep the balance being spent. In force on every verify process within 1 second. Audited as owner.created or owner.updated.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    put: operations['putOwner'];
    post?: never;
    /**
     * Delete an owner
     * @description Its keys keep working, without the owner’s limits and credits, on every verify process within 1 second. Audited as owner.deleted.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    delete: operations['deleteOwner'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/owners': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List your tenant's owners
     * @description Oldest first, a page at a time.
     *
     *     Callers: tenant credentials with the role `admin` or `auditor`.
     */
    get: operations['listOwners'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/owners/{ownerId}/credits': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Change an owner's credits
     * @description increment or decrement the balance every key of the owner shares, atomically against concurrent verifications, or set it. Audited as owner.credits_changed with the op and amount.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    post: operations['changeOwnerCredits'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/policy': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get your tenant's policy
     * @description The caller's tenant's policy; a tenant that never set one has the defaults (nothing enforced, warnings 7 and 1 days ahead).
     *
     *     Callers: tenant credentials with the role `admin` or `auditor`.
     */
    get: operations['getPolicy'];
    /**
     * Replace your tenant's policy
     * @description Replaces the whole policy: every field is required but leakedKeyAction (`revoke` when left out) and the usage signal fields creditsLowPercent, limitNearPercent, spikeFactor, spikeMinimum and newSourceSignals (their defaults when left out). Audited as policy.updated.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    put: operations['replacePolicy'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/reports/unused-keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get the latest unused-key report
     * @description The caller's tenant's latest unused-key audit: the keys idle for the policy's unusedKeyDays or more, and what the policy did about each. The audit runs daily once the policy sets unusedKeyDays (the platform operator may also run it now).
     *
     *     Callers: tenant credentials with the role `admin` or `auditor`.
     */
    get: operations['getUnusedKeyReport'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhooks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List your tenant's webhooks
     * @description The caller's tenant's webhooks, a page at a time; never their secrets.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    get: operations['listWebhooks'];
    put?: never;
    /**
     * Subscribe a URL to key events
     * @description Events of the types given are POSTed to the URL as Standard Webhooks (webhook-id, webhook-timestamp and webhook-signature headers), signed with the secret in this response, which is shown only here; a delivery that gets no 2xx answer is retried with exponential backoff for at least 24 hours. Audited as webhook.created.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    post: operations['createWebhook'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhooks/{webhookId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Delete a webhook
     * @description Deletes the webhook: nothing more is delivered to its URL. Audited as webhook.deleted.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    delete: operations['deleteWebhook'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/webhooks/{webhookId}/deliveries': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List a webhook's deliveries
     * @description The webhook's deliveries, oldest first, a page at a time: each event, its state, its attempts and the last answer.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    get: operations['listWebhookDeliveries'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/jobs/{queue}/{jobId}/retry': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Retry a failed job
     * @description Queues a failed job of any queue again (the dashboard's retry). Every job is idempotent, so a retry is safe.
     *
     *     Callers: the platform operator.
     */
    post: operations['retryJob'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/jobs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List the job queues
     * @description Every queue (what the dashboard at /v1/jobs/dashboard shows): its jobs by state, its schedules, and its latest jobs.
     *
     *     Callers: the platform operator.
     */
    get: operations['listJobQueues'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/jobs/{name}/run': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Run a scheduled job now
     * @description Queues a pass of a scheduled job over every tenant now, beside its schedule: 202 once Redis has taken it; follow it with getJob. 503 within 2 seconds when Redis cannot take it, and then the run never happens.
     *
     *     Callers: the platform operator.
     */
    post: operations['runJob'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/jobs/{jobId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get a job run
     * @description A run's state and, once completed, what it did.
     *
     *     Callers: the platform operator.
     */
    get: operations['getJob'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/roles/{name}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Get a role
     * @description One role of the caller's tenant.
     *
     *     Callers: tenant credentials with the role `admin` or `auditor`.
     */
    get: operations['getRole'];
    /**
     * Create or replace a role
     * @description Creates the role, or replaces its scopes and description. Every key that has the role is granted its scopes on every verify process within 1 second. Audited as role.updated.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    put: operations['putRole'];
    post?: never;
    /**
     * Delete a role
     * @description Deletes a role that no key has (revoked keys aside): take it off the keys first. Audited as role.deleted.
     *
     *     Callers: tenant credentials with the role `admin`.
     */
    delete: operations['deleteRole'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/roles': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List your tenant's roles
     * @description The caller's tenant's roles, oldest first, a page at a time.
     *
     *     Callers: tenant credentials with the role `admin` or `auditor`.
     */
    get: operations['listRoles'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/signing-keys/principal/rotate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Rotate the key that signs principals
     * @description Replaces the Ed25519 key that signs the `Keyward-Principal` tokens of the verify service now, without a restart: every verify process signs with the new key within a second (within 10 seconds should Redis lose the announcement), and the JWKS keeps the replaced key for 130 seconds, longer than any token it signed lives. The worker also rotates it once it is KEYWARD_PRINCIPAL_KEY_MAX_AGE_DAYS old; rotate by hand when a key may have been exposed.
     *
     *     Callers: the platform operator.
     */
    post: operations['rotatePrincipalSigningKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    CreateTenantDto: {
      /** @example Acme Corp */
      name: string;
    };
    TenantResource: {
      /**
       * Format: uuid
       * @example 0b7c6f1e-2d4a-4e8b-9c3f-5a6d7e8f9a0b
       */
      id: string;
      /** @example Acme Corp */
      name: string;
      /**
       * @description suspended: the tenant's keys verify as DISABLED and its admins and auditors get 403
       * @example active
       * @enum {string}
       */
      status: 'active' | 'suspended';
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      createdAt: string;
    };
    TenantPage: {
      data: components['schemas']['TenantResource'][];
      /** @description Pass as `cursor` for the next page; null on the last page */
      nextCursor: string | null;
    };
    CreateCredentialDto: {
      /** @example checkout-service */
      name: string;
      /**
       * @description What the credential may do: admin, auditor or verifier
       * @example verifier
       * @enum {string}
       */
      role: 'admin' | 'auditor' | 'verifier';
      /**
       * Format: date-time
       * @description When the credential stops working; in the future. Absent: never.
       * @example 2035-01-01T00:00:00.000Z
       */
      expiresAt?: string;
    };
    IssuedCredentialResource: {
      /**
       * Format: uuid
       * @example 5e4d3c2b-1a09-4f8e-8d7c-6b5a4f3e2d1c
       */
      id: string;
      /** @example checkout-service */
      name: string;
      /**
       * @description admin: everything of its tenant; auditor: reads keys, usage, audit events and reports, changes nothing; verifier: POST /v1/verify only
       * @example verifier
       * @enum {string}
       */
      role: 'admin' | 'auditor' | 'verifier';
      /**
       * @description The bearer token (`kwc_...`). It appears in this response only: keep it now.
       * @example kwc_ExampleCredential0000000000000000hLug0
       */
      token: string;
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      createdAt: string;
      /**
       * Format: date-time
       * @description When the credential stops working; null: never
       */
      expiresAt: string | null;
    };
    CredentialResource: {
      /**
       * Format: uuid
       * @example 5e4d3c2b-1a09-4f8e-8d7c-6b5a4f3e2d1c
       */
      id: string;
      /** @example checkout-service */
      name: string;
      /**
       * @description admin: everything of its tenant; auditor: reads keys, usage, audit events and reports, changes nothing; verifier: POST /v1/verify only
       * @example verifier
       * @enum {string}
       */
      role: 'admin' | 'auditor' | 'verifier';
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      createdAt: string;
      /**
       * Format: date-time
       * @description When the credential stops working; null: never
       */
      expiresAt: string | null;
      /**
       * Format: date-time
       * @description When it was revoked; null: it was not
       */
      revokedAt: string | null;
    };
    CredentialPage: {
      data: components['schemas']['CredentialResource'][];
      /** @description Pass as `cursor` for the next page; null on the last page */
      nextCursor: string | null;
    };
    AuditParty: {
      /**
       * @description For an actor: platform, credential or system (a scheduled job); for a target: the kind of resource, such as key
       * @example credential
       */
      type: string;
      /**
       * @description Its id: `platform` for the platform operator, the job for a scheduled run
       * @example 5e4d3c2b-1a09-4f8e-8d7c-6b5a4f3e2d1c
       */
      id: string;
    };
    AuditEventResource: {
      /**
       * Format: uuid
       * @example 9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a
       */
      id: string;
      /**
       * @description Position in the tenant chain, from 1 without gaps
       * @example 42
       */
      seq: number;
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      occurredAt: string;
      actor: components['schemas']['AuditParty'];
      /**
       * @description What happened, such as key.created or tenant.suspended
       * @example key.created
       */
      action: string;
      target: components['schemas']['AuditParty'];
      /**
       * @description The request that made the change, or the id of the scheduled run that did
       * @example 4b9e2f6a-1c3d-4e5f-8a7b-9c0d1e2f3a4b
       */
      requestId: string | null;
      /**
       * @description The caller's address; null for the scheduled jobs
       * @example 203.0.113.7
       */
      ip: string | null;
      /**
       * @description What changed; never a secret
       * @example {
       *       "name": "Checkout service"
       *     }
       */
      details: {
        [key: string]: unknown;
      };
      /**
       * @description hash of the previous event (64 zeros for the first)
       * @example c7d1f4b2a9e85f3d6c0b1a2e4f6d8c0b9a7e5d3c1b2a4f6e8d0c9b7a5e3d1f2a
       */
      prevHash: string;
      /**
       * @description SHA-256 hex of prevHash + "\n" + JCS(event without prevHash and hash), JCS being RFC 8785
       * @example c7d1f4b2a9e85f3d6c0b1a2e4f6d8c0b9a7e5d3c1b2a4f6e8d0c9b7a5e3d1f2a
       */
      hash: string;
    };
    AuditEventPage: {
      data: components['schemas']['AuditEventResource'][];
      /** @description Pass as `cursor` for the next page; null on the last page */
      nextCursor: string | null;
    };
    AuditChainVerdict: {
      valid: boolean;
      /**
       * @description Events checked (when valid)
       * @example 42
       */
      count?: number;
      /**
       * @description hash of the last event (when valid)
       * @example c7d1f4b2a9e85f3d6c0b1a2e4f6d8c0b9a7e5d3c1b2a4f6e8d0c9b7a5e3d1f2a
       */
      headHash?: string;
      /** @description First seq whose event does not verify (when not valid) */
      brokenAtSeq?: number;
      /** @description With checkpointSeq and checkpointHash: true only when the chain is valid and its event at checkpointSeq has exactly that hash */
      extendsCheckpoint?: boolean;
    };
    AuditCheckpointResource: {
      /**
       * Format: uuid
       * @example 0b7c6f1e-2d4a-4e8b-9c3f-5a6d7e8f9a0b
       */
      tenantId: string;
      /**
       * @description The seq of the chain's last event (0 for an empty chain)
       * @example 42
       */
      seq: number;
      /**
       * @description The hash of that event (64 zeros for an empty chain)
       * @example c7d1f4b2a9e85f3d6c0b1a2e4f6d8c0b9a7e5d3c1b2a4f6e8d0c9b7a5e3d1f2a
       */
      headHash: string;
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      issuedAt: string;
      /**
       * @description kid of the signing key in GET /v1/audit-events/keys
       * @example kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k
       */
      keyId: string;
      /**
       * @description base64url of the Ed25519 signature over the RFC 8785 canonical JSON (JCS) of {tenantId, seq, headHash, issuedAt, keyId}
       * @example vbXd0enHPRPj84Q0YRhuMyNpQmkjlbydebrXLfSNtYAj-Kv48GH71ITUcwtht7ti2YnkUJfcouDf6G8PMcgFCg
       */
      signature: string;
    };
    AuditCheckpointPage: {
      data: components['schemas']['AuditCheckpointResource'][];
      /** @description Pass as `cursor` for the next page; null on the last page */
      nextCursor: string | null;
    };
    JwkResource: {
      /** @enum {string} */
      kty: 'OKP';
      /** @enum {string} */
      crv: 'Ed25519';
      /**
       * @description The public key, base64url
       * @example 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo
       */
      x: string;
      /**
       * @description The RFC 7638 thumbprint of the key
       * @example kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k
       */
      kid: string;
      /** @enum {string} */
      use: 'sig';
      /** @enum {string} */
      alg: 'EdDSA';
    };
    JwksResource: {
      /** @description The current key and every retired one: old checkpoints stay verifiable */
      keys: components['schemas']['JwkResource'][];
    };
    RateLimitDto: {
      /**
       * @description VALID answers allowed per window
       * @example 100
       */
      limit: number;
      /**
       * @description The window: fixed windows aligned to multiples of this many seconds since the Unix epoch
       * @example 60
       */
      windowSeconds: number;
    };
    NamedRateLimitDto: {
      /**
       * @description Unique in the list; `key` is the v1 rateLimit when fixed and always applied
       * @example per-second
       */
      name: string;
      /**
       * @description VALID answers allowed per window; at most 10000 for a sliding limit
       * @example 10
       */
      limit: number;
      /**
       * @description The window, in seconds
       * @example 1
       */
      windowSeconds: number;
      /**
       * @description fixed: windows aligned to multiples of windowSeconds since the Unix epoch; sliding: no interval of windowSeconds holds more
       * @default fixed
       * @enum {string}
       */
      algorithm?: 'fixed' | 'sliding';
      /**
       * @description always: on every verification; on-request: when the verify request names it
       * @default always
       * @enum {string}
       */
      apply?: 'always' | 'on-request';
    };
    CreditRefillDto: {
      /**
       * @description daily: at 00:00 UTC; monthly: at 00:00 UTC of dayOfMonth
       * @enum {string}
       */
      interval: 'daily' | 'monthly';
      /**
       * @description What each refill sets the balance to (it does not add)
       * @example 10000
       */
      amount: number;
      /**
       * @description Monthly refills only: the day of the month (the month's last day where the month is shorter)
       * @default 1
       */
      dayOfMonth?: number;
    };
    CreditsDto: {
      /**
       * @description The balance: each VALID answer takes its cost; none left is USAGE_EXCEEDED
       * @example 10000
       */
      remaining: number;
      /** @description Sets the balance to amount once per period; null: none */
      refill?: components['schemas']['CreditRefillDto'] | null;
    };
    RotationDto: {
      /**
       * @description A successor is made this long after the key was
       * @example 7776000
       */
      intervalSeconds: number;
      /**
       * @description How long the old key keeps working after a rotation
       * @example 86400
       */
      gracePeriodSeconds: number;
    };
    CreateKeyDto: {
      /** @example Checkout service */
      name: string;
      /**
       * @description Your customer's or service's id
       * @example cus_4711
       */
      ownerId?: string;
      /**
       * @description What the key grants: 1 to 64 characters of a-z 0-9 _ . : * - each; `billing:*` grants every scope that begins with `billing:`, `*` grants all
       * @example [
       *       "billing:*",
       *       "reports:read"
       *     ]
       */
      scopes?: string[];
      /**
       * @description Names of your tenant's roles (PUT /v1/roles/{name}): the key is granted their scopes too, as they are at each verification
       * @example [
       *       "support"
       *     ]
       */
      roles?: string[];
      /**
       * @default live
       * @enum {string}
       */
      environment?: 'live' | 'test';
      /**
       * Format: date-time
       * @description When the key stops working (EXPIRED); in the future. Absent: never.
       * @example 2035-01-01T00:00:00.000Z
       */
      expiresAt?: string;
      /**
       * @description Your data about the key, returned by verify: a JSON object of at most 4096 bytes
       * @example {
       *       "plan": "pro"
       *     }
       */
      meta?: {
        [key: string]: unknown;
      };
      /** @description At most `limit` VALID answers per window of `windowSeconds` */
      rateLimit?: components['schemas']['RateLimitDto'];
      /** @description Named limits; the one named `key` (fixed, always) is rateLimit. With rateLimit too, they must agree. */
      rateLimits?: components['schemas']['NamedRateLimitDto'][];
      /**
       * @description Usage credits (credits.remaining): each VALID answer takes its cost; none left is USAGE_EXCEEDED. Absent: unlimited.
       * @example 10000
       */
      remaining?: number;
      /** @description Credits and their refill; remaining is their v1 name. Absent: unlimited. */
      credits?: components['schemas']['CreditsDto'];
      /**
       * @description Where the key may be used from: IPv4 (dotted quad) or IPv6 addresses or CIDRs, returned as given
       * @example [
       *       "203.0.113.0/24",
       *       "2001:db8::/32"
       *     ]
       */
      ipAllowlist?: string[];
      /** @description Scheduled rotation: a successor every intervalSeconds, revealed once */
      rotation?: components['schemas']['RotationDto'];
    };
    NamedRateLimitResource: {
      /** @example per-second */
      name: string;
      /** @example 10 */
      limit: number;
      /** @example 1 */
      windowSeconds: number;
      /**
       * @example fixed
       * @enum {string}
       */
      algorithm: 'fixed' | 'sliding';
      /**
       * @example always
       * @enum {string}
       */
      apply: 'always' | 'on-request';
    };
    CreditRefillResource: {
      /**
       * @example monthly
       * @enum {string}
       */
      interval: 'daily' | 'monthly';
      /**
       * @description What each refill sets the balance to
       * @example 10000
       */
      amount: number;
      /**
       * @description Monthly refills: the day of the month; null for daily ones
       * @example 1
       */
      dayOfMonth: number | null;
    };
    CreditsResource: {
      /**
       * @description The balance (within 5 seconds of the credits spent; a refill that is due shows as made)
       * @example 10000
       */
      remaining: number;
      /** @description null: no refill */
      refill: components['schemas']['CreditRefillResource'] | null;
      /**
       * Format: date-time
       * @description When the balance was last refilled; null: never
       */
      refilledAt: string | null;
    };
    IssuedKeyResource: {
      /**
       * Format: uuid
       * @example 8d5e3c2a-4b1f-4a6e-9c7d-0e2f1a3b5c7d
       */
      id: string;
      /** @example Checkout service */
      name: string;
      /**
       * @description Your customer's or service's id
       * @example cus_4711
       */
      ownerId: string | null;
      /**
       * @description <prefix>_<environment>_ and the first 4 characters of the body, for display
       * @example kw_live_Exam
       */
      start: string;
      /**
       * @example live
       * @enum {string}
       */
      environment: 'live' | 'test';
      /**
       * @example [
       *       "billing:*",
       *       "reports:read"
       *     ]
       */
      scopes: string[];
      /**
       * @description The tenant's roles the key has: it is granted their scopes too
       * @example [
       *       "support"
       *     ]
       */
      roles: string[];
      /**
       * @example {
       *       "plan": "pro"
       *     }
       */
      meta: {
        [key: string]: unknown;
      };
      /**
       * @description revoked and expired are final; disabled until enabled again
       * @example active
       * @enum {string}
       */
      status: 'active' | 'disabled' | 'expired' | 'revoked';
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      createdAt: string;
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      updatedAt: string;
      /**
       * Format: date-time
       * @description When the key stops working; null: never
       * @example 2035-01-01T00:00:00.000Z
       */
      expiresAt: string | null;
      /**
       * Format: date-time
       * @description The latest VALID verification (within 5 seconds); null: never used
       * @example 2026-01-15T10:30:12.000Z
       */
      lastUsedAt: string | null;
      /** @description The v1 view of rateLimits: the fixed, always-applied limit named `key`; null: none */
      rateLimit: components['schemas']['RateLimitDto'] | null;
      /** @description Every named limit of the key */
      rateLimits: components['schemas']['NamedRateLimitResource'][];
      /**
       * @description Usage credits left (credits.remaining); null: unlimited
       * @example 10000
       */
      remaining: number | null;
      /** @description The credits and their refill; null: unlimited */
      credits: components['schemas']['CreditsResource'] | null;
      /**
       * @description null: usable from anywhere
       * @example [
       *       "203.0.113.0/24"
       *     ]
       */
      ipAllowlist: string[] | null;
      /** @description null: no scheduled rotation */
      rotation: components['schemas']['RotationDto'] | null;
      /**
       * Format: uuid
       * @description The key this one succeeded by rotation; null: none
       */
      previousKeyId: string | null;
      /**
       * @description The plaintext key. It appears in this response only: keep it now.
       * @example kw_live_ExampleKey00000000000000000000003BWizC
       */
      key: string;
    };
    KeyResource: {
      /**
       * Format: uuid
       * @example 8d5e3c2a-4b1f-4a6e-9c7d-0e2f1a3b5c7d
       */
      id: string;
      /** @example Checkout service */
      name: string;
      /**
       * @description Your customer's or service's id
       * @example cus_4711
       */
      ownerId: string | null;
      /**
       * @description <prefix>_<environment>_ and the first 4 characters of the body, for display
       * @example kw_live_Exam
       */
      start: string;
      /**
       * @example live
       * @enum {string}
       */
      environment: 'live' | 'test';
      /**
       * @example [
       *       "billing:*",
       *       "reports:read"
       *     ]
       */
      scopes: string[];
      /**
       * @description The tenant's roles the key has: it is granted their scopes too
       * @example [
       *       "support"
       *     ]
       */
      roles: string[];
      /**
       * @example {
       *       "plan": "pro"
       *     }
       */
      meta: {
        [key: string]: unknown;
      };
      /**
       * @description revoked and expired are final; disabled until enabled again
       * @example active
       * @enum {string}
       */
      status: 'active' | 'disabled' | 'expired' | 'revoked';
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      createdAt: string;
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      updatedAt: string;
      /**
       * Format: date-time
       * @description When the key stops working; null: never
       * @example 2035-01-01T00:00:00.000Z
       */
      expiresAt: string | null;
      /**
       * Format: date-time
       * @description The latest VALID verification (within 5 seconds); null: never used
       * @example 2026-01-15T10:30:12.000Z
       */
      lastUsedAt: string | null;
      /** @description The v1 view of rateLimits: the fixed, always-applied limit named `key`; null: none */
      rateLimit: components['schemas']['RateLimitDto'] | null;
      /** @description Every named limit of the key */
      rateLimits: components['schemas']['NamedRateLimitResource'][];
      /**
       * @description Usage credits left (credits.remaining); null: unlimited
       * @example 10000
       */
      remaining: number | null;
      /** @description The credits and their refill; null: unlimited */
      credits: components['schemas']['CreditsResource'] | null;
      /**
       * @description null: usable from anywhere
       * @example [
       *       "203.0.113.0/24"
       *     ]
       */
      ipAllowlist: string[] | null;
      /** @description null: no scheduled rotation */
      rotation: components['schemas']['RotationDto'] | null;
      /**
       * Format: uuid
       * @description The key this one succeeded by rotation; null: none
       */
      previousKeyId: string | null;
    };
    KeyPage: {
      data: components['schemas']['KeyResource'][];
      /** @description Pass as `cursor` for the next page; null on the last page */
      nextCursor: string | null;
    };
    UsageBucketResource: {
      /**
       * Format: date-time
       * @description The bucket's first instant
       * @example 2026-01-15T10:00:00.000Z
       */
      start: string;
      /**
       * @description Verifications in the bucket
       * @example 15
       */
      total: number;
      /**
       * @description Verifications by code; codes with none are left out
       * @example {
       *       "VALID": 12,
       *       "RATE_LIMITED": 3
       *     }
       */
      counts: {
        VALID?: number;
        MALFORMED?: number;
        NOT_FOUND?: number;
        REVOKED?: number;
        EXPIRED?: number;
        DISABLED?: number;
        IP_NOT_ALLOWED?: number;
        INSUFFICIENT_SCOPE?: number;
        RATE_LIMITED?: number;
        USAGE_EXCEEDED?: number;
      };
    };
    KeyUsageResource: {
      /**
       * Format: uuid
       * @example 8d5e3c2a-4b1f-4a6e-9c7d-0e2f1a3b5c7d
       */
      keyId: string;
      /**
       * @example hour
       * @enum {string}
       */
      granularity: 'hour' | 'day';
      /** @description Buckets with traffic, oldest first */
      buckets: components['schemas']['UsageBucketResource'][];
    };
    UpdateKeyDto: {
      /** @description A new name */
      name?: string;
      /** @description Replaces the scopes */
      scopes?: string[];
      /** @description Replaces the roles; [] takes them all off */
      roles?: string[];
      /** @description Replaces the meta (at most 4096 bytes as JSON) */
      meta?: {
        [key: string]: unknown;
      };
      /**
       * Format: date-time
       * @description A new expiry, in the future; null: never
       */
      expiresAt?: string | null;
      /** @description A new rate limit; null: none */
      rateLimit?: components['schemas']['RateLimitDto'] | null;
      /** @description Replaces every named limit ([]: none); rateLimit alone replaces only the one named `key` */
      rateLimits?: components['schemas']['NamedRateLimitDto'][];
      /** @description Sets the credits exactly (credits.remaining), keeping their refill; null: unlimited */
      remaining?: number | null;
      /** @description Replaces the balance and its refill; null: unlimited */
      credits?: components['schemas']['CreditsDto'] | null;
      /** @description Replaces the IP allowlist; null: none */
      ipAllowlist?: string[] | null;
      /** @description A new rotation schedule; null: none */
      rotation?: components['schemas']['RotationDto'] | null;
      /** @description false disables the key (verify answers DISABLED); true enables it again */
      enabled?: boolean;
    };
    RotateKeyDto: {
      /**
       * @description How long the old key keeps working; default: the key's rotation.gracePeriodSeconds, else 0
       * @example 3600
       */
      gracePeriodSeconds?: number;
    };
    RotatedKeyResource: {
      /**
       * Format: uuid
       * @example 8d5e3c2a-4b1f-4a6e-9c7d-0e2f1a3b5c7d
       */
      id: string;
      /** @example Checkout service */
      name: string;
      /**
       * @description Your customer's or service's id
       * @example cus_4711
       */
      ownerId: string | null;
      /**
       * @description <prefix>_<environment>_ and the first 4 characters of the body, for display
       * @example kw_live_Exam
       */
      start: string;
      /**
       * @example live
       * @enum {string}
       */
      environment: 'live' | 'test';
      /**
       * @example [
       *       "billing:*",
       *       "reports:read"
       *     ]
       */
      scopes: string[];
      /**
       * @description The tenant's roles the key has: it is granted their scopes too
       * @example [
       *       "support"
       *     ]
       */
      roles: string[];
      /**
       * @example {
       *       "plan": "pro"
       *     }
       */
      meta: {
        [key: string]: unknown;
      };
      /**
       * @description revoked and expired are final; disabled until enabled again
       * @example active
       * @enum {string}
       */
      status: 'active' | 'disabled' | 'expired' | 'revoked';
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      createdAt: string;
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      updatedAt: string;
      /**
       * Format: date-time
       * @description When the key stops working; null: never
       * @example 2035-01-01T00:00:00.000Z
       */
      expiresAt: string | null;
      /**
       * Format: date-time
       * @description The latest VALID verification (within 5 seconds); null: never used
       * @example 2026-01-15T10:30:12.000Z
       */
      lastUsedAt: string | null;
      /** @description The v1 view of rateLimits: the fixed, always-applied limit named `key`; null: none */
      rateLimit: components['schemas']['RateLimitDto'] | null;
      /** @description Every named limit of the key */
      rateLimits: components['schemas']['NamedRateLimitResource'][];
      /**
       * @description Usage credits left (credits.remaining); null: unlimited
       * @example 10000
       */
      remaining: number | null;
      /** @description The credits and their refill; null: unlimited */
      credits: components['schemas']['CreditsResource'] | null;
      /**
       * @description null: usable from anywhere
       * @example [
       *       "203.0.113.0/24"
       *     ]
       */
      ipAllowlist: string[] | null;
      /** @description null: no scheduled rotation */
      rotation: components['schemas']['RotationDto'] | null;
      /**
       * Format: uuid
       * @description The key this one succeeded by rotation; null: none
       */
      previousKeyId: string | null;
      /**
       * @description The plaintext key. It appears in this response only: keep it now.
       * @example kw_live_ExampleKey00000000000000000000003BWizC
       */
      key: string;
      /**
       * Format: date-time
       * @description When the old key stops working
       * @example 2026-01-15T09:30:00.000Z
       */
      previousKeyExpiresAt: string;
    };
    RevealedKeyResource: {
      /**
       * Format: uuid
       * @example 8d5e3c2a-4b1f-4a6e-9c7d-0e2f1a3b5c7d
       */
      id: string;
      /**
       * @description The plaintext key, shown this once
       * @example kw_live_ExampleKey00000000000000000000003BWizC
       */
      key: string;
    };
    RevokeKeyDto: {
      /**
       * @description Why: kept in the audit event
       * @example Leaked in a public repository
       */
      reason?: string;
    };
    ReportKeyLeakDto: {
      /**
       * @description Where the key was found
       * @example https://gist.github.com/octocat/6cad326836d38bd3a7ae
       */
      url?: string;
      /**
       * @description What kind of place that is, or who found it
       * @example gist
       */
      source?: string;
    };
    LeakReportItemDto: {
      /**
       * @description The string GitHub found
       * @example kw_live_0123456789abcdefghijklmnopqrstuv3Xk9Qa
       */
      token: string;
      /**
       * @description The name of the pattern that matched, as registered with GitHub
       * @example keyward_api_key
       */
      type: string;
      /**
       * @description Where it was found
       * @example https://github.com/octocat/Hello-World/blob/12345600b9cbe38a219f39a9941c9319b600c002/foo.txt
       */
      url?: string | null;
      /**
       * @description What kind of place that is (content, commit, issue, ...)
       * @example content
       */
      source?: string | null;
    };
    LeakFeedbackResource: {
      /**
       * @description SHA-256 of the token, in hex
       * @example 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
       */
      token_hash: string;
      /**
       * @description The report's `type` for this token
       * @example keyward_api_key
       */
      token_type: string;
      /**
       * @description true_positive: a key or credential of this deployment, whatever its state; false_positive: not one
       * @example true_positive
       * @enum {string}
       */
      label: 'true_positive' | 'false_positive';
    };
    ChangeCreditsDto: {
      /**
       * @description increment or decrement the live balance atomically, or set it
       * @example increment
       * @enum {string}
       */
      op: 'increment' | 'decrement' | 'set';
      /** @example 100 */
      amount: number;
    };
    CreditsChangedResource: {
      /**
       * @description The balance after the change
       * @example 10100
       */
      remaining: number;
    };
    PutOwnerDto: {
      /** @example Acme Corp */
      name?: string | null;
      /**
       * @description Your data about the owner, shown by verify: a JSON object of at most 4096 bytes
       * @example {
       *       "plan": "enterprise"
       *     }
       */
      meta?: {
        [key: string]: unknown;
      };
      /** @description Limits every key of the owner shares */
      rateLimits?: components['schemas']['NamedRateLimitDto'][];
      /** @description Credits every key of the owner shares; null: unlimited. Left out, or the same as shown: the balance is kept. */
      credits?: components['schemas']['CreditsDto'] | null;
    };
    OwnerResource: {
      /**
       * @description Your customer's or service's id, as its keys carry it
       * @example cus_4711
       */
      ownerId: string;
      /** @example Acme Corp */
      name: string | null;
      /**
       * @example {
       *       "plan": "enterprise"
       *     }
       */
      meta: {
        [key: string]: unknown;
      };
      /** @description Limits every key of the owner shares */
      rateLimits: components['schemas']['NamedRateLimitResource'][];
      /** @description Credits every key of the owner shares; null: unlimited */
      credits: components['schemas']['CreditsResource'] | null;
      /**
       * @description Keys with this ownerId that are not revoked
       * @example 2
       */
      keyCount: number;
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      createdAt: string;
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      updatedAt: string;
    };
    OwnerPage: {
      data: components['schemas']['OwnerResource'][];
      /** @description Pass as `cursor` for the next page; null on the last page */
      nextCursor: string | null;
    };
    TenantPolicyResource: {
      /**
       * @description Days without a VALID verification before a key counts as unused (the daily unused-key audit); null: off
       * @example 90
       */
      unusedKeyDays: number | null;
      /**
       * @description What the unused-key audit does to an unused key
       * @example report
       * @enum {string}
       */
      unusedKeyAction: 'report' | 'disable' | 'revoke';
      /**
       * @description Longest lifetime of a key issued, patched or rotated; null: unlimited
       * @example 365
       */
      maxKeyLifetimeDays: number | null;
      /**
       * @description Days before expiry at which the webhook key.expiring is sent
       * @example [
       *       7,
       *       1
       *     ]
       */
      expiryWarningDays: number[];
      /**
       * @description What happens to a key reported leaked (by GitHub secret scanning or POST /v1/keys/{keyId}/leaked): revoked, disabled, or only recorded and announced
       * @default revoke
       * @example revoke
       * @enum {string}
       */
      leakedKeyAction: 'revoke' | 'disable' | 'report';
      /**
       * @description Webhook key.credits_low when a balance falls to this percent of its refill amount (or of its largest balance)
       * @default 20
       * @example 20
       */
      creditsLowPercent: number;
      /**
       * @description Webhook key.limit_near when a window of a rate limit is this percent used
       * @default 75
       * @example 75
       */
      limitNearPercent: number;
      /**
       * @description Webhook key.usage_spike when an hour's verifications exceed this many times the key's hourly average of the previous 7 days
       * @default 5
       * @example 5
       */
      spikeFactor: number;
      /**
       * @description The fewest verifications in an hour that key.usage_spike reports
       * @default 100
       * @example 100
       */
      spikeMinimum: number;
      /**
       * @description Webhook key.new_source on a VALID verification from a network (IPv4 /24, IPv6 /48) new to a key in use for 24 h
       * @default false
       * @example false
       */
      newSourceSignals: boolean;
    };
    TenantPolicyDto: {
      /**
       * @description Days without a VALID verification before a key counts as unused (the daily unused-key audit); null: off
       * @example 90
       */
      unusedKeyDays: number | null;
      /**
       * @description What the unused-key audit does to an unused key
       * @example report
       * @enum {string}
       */
      unusedKeyAction: 'report' | 'disable' | 'revoke';
      /**
       * @description Longest lifetime of a key issued, patched or rotated; null: unlimited
       * @example 365
       */
      maxKeyLifetimeDays: number | null;
      /**
       * @description Days before expiry at which the webhook key.expiring is sent
       * @example [
       *       7,
       *       1
       *     ]
       */
      expiryWarningDays: number[];
      /**
       * @description What happens to a key reported leaked (by GitHub secret scanning or POST /v1/keys/{keyId}/leaked): revoked, disabled, or only recorded and announced
       * @default revoke
       * @example revoke
       * @enum {string}
       */
      leakedKeyAction?: 'revoke' | 'disable' | 'report';
      /**
       * @description Webhook key.credits_low when a balance falls to this percent of its refill amount (or of its largest balance)
       * @default 20
       * @example 20
       */
      creditsLowPercent?: number;
      /**
       * @description Webhook key.limit_near when a window of a rate limit is this percent used
       * @default 75
       * @example 75
       */
      limitNearPercent?: number;
      /**
       * @description Webhook key.usage_spike when an hour's verifications exceed this many times the key's hourly average of the previous 7 days
       * @default 5
       * @example 5
       */
      spikeFactor?: number;
      /**
       * @description The fewest verifications in an hour that key.usage_spike reports
       * @default 100
       * @example 100
       */
      spikeMinimum?: number;
      /**
       * @description Webhook key.new_source on a VALID verification from a network (IPv4 /24, IPv6 /48) new to a key in use for 24 h
       * @default false
       * @example false
       */
      newSourceSignals?: boolean;
    };
    UnusedKeyReportEntryResource: {
      /**
       * Format: uuid
       * @example 8d5e3c2a-4b1f-4a6e-9c7d-0e2f1a3b5c7d
       */
      id: string;
      /** @example Checkout service */
      name: string;
      /** @example cus_4711 */
      ownerId: string | null;
      /**
       * @description The key's status when the report was made, after the run's action
       * @enum {string}
       */
      status: 'active' | 'disabled' | 'expired' | 'revoked';
      /**
       * Format: date-time
       * @description Latest VALID verification; null if never used (idle since createdAt)
       */
      lastUsedAt: string | null;
      /** Format: date-time */
      createdAt: string;
      /**
       * Format: date-time
       * @description When the key was first flagged in its current idle period (audit key.flagged_unused)
       */
      flaggedAt: string;
      /**
       * @description What the policy did about the key in its current idle period
       * @enum {string}
       */
      action: 'reported' | 'disabled' | 'revoked';
    };
    UnusedKeyReportResource: {
      /** Format: date-time */
      generatedAt: string;
      /**
       * @description The policy unusedKeyDays the keys were judged by
       * @example 90
       */
      thresholdDays: number;
      /**
       * @description The policy unusedKeyAction when the report was made
       * @enum {string}
       */
      action: 'report' | 'disable' | 'revoke';
      /** @description Every key neither revoked nor expired and idle for thresholdDays or more */
      keys: components['schemas']['UnusedKeyReportEntryResource'][];
    };
    CreateWebhookDto: {
      /**
       * Format: uri
       * @description https: (http: only where the deployment allows it), no credentials; must resolve to public addresses only
       * @example https://hooks.example.com/keyward
       */
      url: string;
      /**
       * @example [
       *       "key.expiring",
       *       "key.revoked"
       *     ]
       */
      events: (
        | 'key.expiring'
        | 'key.expired'
        | 'key.rotated'
        | 'key.revoked'
        | 'key.unused'
        | 'key.leaked'
        | 'key.credits_low'
        | 'key.limit_near'
        | 'key.rate_limited'
        | 'key.usage_spike'
        | 'key.new_source'
      )[];
    };
    CreatedWebhookResource: {
      /**
       * Format: uuid
       * @example 7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f
       */
      id: string;
      /**
       * Format: uri
       * @description The URL as the WHATWG URL parser normalises it
       * @example https://hooks.example.com/keyward
       */
      url: string;
      /**
       * @example [
       *       "key.expiring",
       *       "key.revoked"
       *     ]
       */
      events: (
        | 'key.expiring'
        | 'key.expired'
        | 'key.rotated'
        | 'key.revoked'
        | 'key.unused'
        | 'key.leaked'
        | 'key.credits_low'
        | 'key.limit_near'
        | 'key.rate_limited'
        | 'key.usage_spike'
        | 'key.new_source'
      )[];
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      createdAt: string;
      /**
       * @description The Standard Webhooks signing secret (whsec_ + base64 of 32 random bytes). It appears in this response only.
       * @example whsec_a2V5d2FyZC1vcGVuYXBpLWV4YW1wbGUtc2VjcmV0LTE=
       */
      secret: string;
    };
    WebhookResource: {
      /**
       * Format: uuid
       * @example 7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f
       */
      id: string;
      /**
       * Format: uri
       * @description The URL as the WHATWG URL parser normalises it
       * @example https://hooks.example.com/keyward
       */
      url: string;
      /**
       * @example [
       *       "key.expiring",
       *       "key.revoked"
       *     ]
       */
      events: (
        | 'key.expiring'
        | 'key.expired'
        | 'key.rotated'
        | 'key.revoked'
        | 'key.unused'
        | 'key.leaked'
        | 'key.credits_low'
        | 'key.limit_near'
        | 'key.rate_limited'
        | 'key.usage_spike'
        | 'key.new_source'
      )[];
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      createdAt: string;
    };
    WebhookPage: {
      data: components['schemas']['WebhookResource'][];
      /** @description Pass as `cursor` for the next page; null on the last page */
      nextCursor: string | null;
    };
    WebhookDeliveryResource: {
      /**
       * Format: uuid
       * @example 3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a
       */
      id: string;
      /**
       * @example key.expiring
       * @enum {string}
       */
      eventType:
        | 'key.expiring'
        | 'key.expired'
        | 'key.rotated'
        | 'key.revoked'
        | 'key.unused'
        | 'key.leaked'
        | 'key.credits_low'
        | 'key.limit_near'
        | 'key.rate_limited'
        | 'key.usage_spike'
        | 'key.new_source';
      /**
       * @description failed: no 2xx answer within 24 hours of retries
       * @enum {string}
       */
      status: 'pending' | 'succeeded' | 'failed';
      /**
       * @description Attempts made so far
       * @example 1
       */
      attempts: number;
      /** @description The receiver's status code on the last attempt; null before any answer */
      lastStatusCode: number | null;
      /**
       * @description Why the last attempt failed (a status, a time-out, a connection failure, a refused URL); null before any attempt and after a success
       * @example URL refused: must not resolve to a non-public address (loopback)
       */
      lastError: string | null;
      /**
       * Format: date-time
       * @description When it is tried next; null once succeeded or failed
       */
      nextAttemptAt: string | null;
    };
    WebhookDeliveryPage: {
      data: components['schemas']['WebhookDeliveryResource'][];
      /** @description Pass as `cursor` for the next page; null on the last page */
      nextCursor: string | null;
    };
    RetriedJobResource: {
      /** @example rotation_1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b */
      jobId: string;
      /**
       * @description Its state once queued again
       * @example waiting
       */
      state: string;
    };
    QueueCountsResource: {
      /** @example 0 */
      waiting: number;
      /** @example 0 */
      active: number;
      /** @example 12 */
      completed: number;
      /** @example 0 */
      failed: number;
      /** @example 1 */
      delayed: number;
    };
    QueueScheduleResource: {
      /** @example rotation */
      id: string;
      /**
       * @description How often it runs, in milliseconds
       * @example 60000
       */
      everyMs: number | null;
      /**
       * Format: date-time
       * @description When it runs next
       * @example 2026-01-15T10:30:12.000Z
       */
      next: string | null;
    };
    RecentJobResource: {
      /** @example rotation_1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b */
      jobId: string;
      /** @example run */
      name: string;
      /** @example completed */
      state: string;
      /** @example 1 */
      attempts: number;
      /**
       * Format: date-time
       * @example 2026-01-15T10:30:12.000Z
       */
      finishedAt: string | null;
      /**
       * @description What the run did
       * @example {
       *       "due": 2,
       *       "rotated": 2,
       *       "skipped": 0,
       *       "failed": 0,
       *       "escrowsPurged": 1
       *     }
       */
      result: {
        [key: string]: unknown;
      } | null;
      /** @description Why it failed */
      failedReason: string | null;
    };
    QueueOverviewResource: {
      /**
       * @example rotation
       * @enum {string}
       */
      name: 'rotation' | 'expiry' | 'unused-audit' | 'signals' | 'webhooks' | 'housekeeping';
      /** @description Jobs by state */
      counts: components['schemas']['QueueCountsResource'];
      /** @description The queue's schedules and when each runs next */
      schedules: components['schemas']['QueueScheduleResource'][];
      /** @description The latest jobs, newest first */
      recent: components['schemas']['RecentJobResource'][];
    };
    QueuesOverviewResource: {
      queues: components['schemas']['QueueOverviewResource'][];
    };
    JobRunResource: {
      /**
       * @description The run, to follow with getJob
       * @example rotation_1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b
       */
      jobId: string;
    };
    JobResource: {
      /** @example rotation_1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b */
      jobId: string;
      /**
       * @example rotation
       * @enum {string}
       */
      name: 'rotation' | 'expiry' | 'unused-audit' | 'signals';
      /**
       * @example completed
       * @enum {string}
       */
      state: 'waiting' | 'active' | 'completed' | 'failed';
      /**
       * @description What the run did, in counts (when completed), or why it failed (when failed)
       * @example {
       *       "due": 2,
       *       "rotated": 2,
       *       "skipped": 0,
       *       "failed": 0,
       *       "escrowsPurged": 1
       *     }
       */
      result?: {
        [key: string]: unknown;
      };
    };
    PutRoleDto: {
      /**
       * @description What the role grants, as a key's scopes: `billing:*` grants every scope that begins with `billing:`
       * @example [
       *       "billing:read",
       *       "orders:*"
       *     ]
       */
      scopes: string[];
      /**
       * @description What the role is for; absent: none
       * @example Support staff
       */
      description?: string;
    };
    RoleResource: {
      /**
       * @description The role's name, shaped like a scope
       * @example support
       */
      name: string;
      /**
       * @example [
       *       "billing:read",
       *       "orders:*"
       *     ]
       */
      scopes: string[];
      /** @example Support staff */
      description: string | null;
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      createdAt: string;
      /**
       * Format: date-time
       * @example 2026-01-15T09:30:00.000Z
       */
      updatedAt: string;
    };
    RolePage: {
      data: components['schemas']['RoleResource'][];
      /** @description Pass as `cursor` for the next page; null on the last page */
      nextCursor: string | null;
    };
    SigningKeyRotationResource: {
      /**
       * @description The kid of the key that signs from now on, as the JWKS and the tokens name it
       * @example 1QCCZZ9DbZRmXySZHQuV9At0J240RbArEd1v3TyNvqA
       */
      keyId: string;
    };
    /** @description RFC 9457 problem details. Branch on `code`, which is stable; `title` and `detail` are for people. */
    Problem: {
      /**
       * Format: uri
       * @description A URI per code: `urn:keyward:problem:` and the code in kebab case
       */
      type: string;
      /** @description A short summary of the code */
      title: string;
      /** @description The HTTP status of the answer */
      status: number;
      /** @description What went wrong with this request */
      detail: string;
      /**
       * @description The stable identifier to branch on
       * @enum {string}
       */
      code:
        | 'VALIDATION_FAILED'
        | 'MALFORMED_JSON'
        | 'BAD_REQUEST'
        | 'UNAUTHENTICATED'
        | 'FORBIDDEN'
        | 'TENANT_SUSPENDED'
        | 'NOT_FOUND'
        | 'METHOD_NOT_ALLOWED'
        | 'REQUEST_TIMEOUT'
        | 'CONFLICT'
        | 'INSUFFICIENT_CREDITS'
        | 'IDEMPOTENCY_KEY_IN_USE'
        | 'ROLE_IN_USE'
        | 'GONE'
        | 'PAYLOAD_TOO_LARGE'
        | 'UNSUPPORTED_MEDIA_TYPE'
        | 'IDEMPOTENCY_KEY_REUSED'
        | 'RATE_LIMITED'
        | 'HEADERS_TOO_LARGE'
        | 'INTERNAL_ERROR'
        | 'VERIFIER_REJECTED'
        | 'SERVICE_UNAVAILABLE';
      /** @description The request's id, as in the X-Request-Id header */
      requestId: string;
      /** @description With VALIDATION_FAILED: each invalid field, query value or header */
      errors?: {
        /** @description The field, as a dotted path (`rateLimit.limit`), or the query value or header */
        field: string;
        message: string;
      }[];
    };
  };
  responses: {
    /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. */
    ValidationFailed: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description UNAUTHENTICATED: No bearer token, or one that is unknown, expired or revoked (with `WWW-Authenticate: Bearer`). */
    Unauthenticated: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        'WWW-Authenticate': components['headers']['WWW-Authenticate'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description FORBIDDEN: The caller is a tenant credential: only the platform operator may do this. */
    Forbidden: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description RATE_LIMITED: The credential's request rate is over the limit (ADMIN_RATE_LIMIT_PER_MINUTE); `Retry-After` says when to retry. */
    RateLimited: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        'Retry-After': components['headers']['Retry-After'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description SERVICE_UNAVAILABLE: A store the request needs (PostgreSQL or Redis) is unavailable; `Retry-After` says when to retry. */
    ServiceUnavailable: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        'Retry-After': components['headers']['Retry-After'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description IDEMPOTENCY_KEY_IN_USE: A request with the same Idempotency-Key is still in progress; retry shortly to get its answer. */
    IdempotencyKeyInUse: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description PAYLOAD_TOO_LARGE: The body is larger than the limit (BODY_LIMIT_BYTES). */
    PayloadTooLarge: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description UNSUPPORTED_MEDIA_TYPE: The body is not application/json. */
    UnsupportedMediaType: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description IDEMPOTENCY_KEY_REUSED: The Idempotency-Key was used with another request (another body) within 24 hours. */
    IdempotencyKeyReused: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description NOT_FOUND: No such resource: unknown, malformed, or of another tenant (existence is not leaked). */
    TenantsNotFound: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description FORBIDDEN: The caller is the platform operator, or a credential whose role may not do this (see Callers). TENANT_SUSPENDED: The credential's tenant is suspended: its admins and auditors are refused everywhere. */
    ForbiddenOrTenantSuspended: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. MALFORMED_JSON: The body is not valid JSON. */
    ValidationFailedOrMalformedJson: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description NOT_FOUND: No such resource: unknown, malformed, or of another tenant (existence is not leaked). */
    KeysNotFound: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description INSUFFICIENT_CREDITS: A decrement would take the credit balance below zero; nothing was changed. CONFLICT: increment or decrement of unlimited credits (set them first), or a revoked key. */
    InsufficientCreditsOrConflict: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description NOT_FOUND: No such resource: unknown, malformed, or of another tenant (existence is not leaked). */
    OwnersNotFound: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description NOT_FOUND: No such resource: unknown, malformed, or of another tenant (existence is not leaked). */
    WebhooksNotFound: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description NOT_FOUND: No such resource: unknown, malformed, or of another tenant (existence is not leaked). */
    JobsNotFound: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description NOT_FOUND: No such resource: unknown, malformed, or of another tenant (existence is not leaked). */
    RolesNotFound: {
      headers: {
        'X-Request-Id': components['headers']['X-Request-Id'];
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
  };
  parameters: never;
  requestBodies: never;
  headers: {
    /** @description The request's id: the caller's `X-Request-Id` when it is 1 to 128 characters of `A-Z a-z 0-9 . _ : -`, else a new UUID. Problems quote it as `requestId`, and the logs carry it. */
    'X-Request-Id': string;
    /** @description Seconds to wait before trying again. */
    'Retry-After': number;
    /** @description The authentication scheme to use: `Bearer`. */
    'WWW-Authenticate': 'Bearer';
  };
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  listTenants: {
    parameters: {
      query?: {
        /** @description The most items on the page */
        limit?: number;
        /** @description nextCursor of the previous page */
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of tenants */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TenantPage'];
        };
      };
      400: components['responses']['ValidationFailed'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  createTenant: {
    parameters: {
      query?: never;
      header?: {
        /** @description 1 to 255 printable ASCII characters (a UUID will do). A retry with the same key and the same body within 24 hours gets the first answer again (same status, same body, a secret included) and creates nothing; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED, and a retry while the first request is still running is 409 IDEMPOTENCY_KEY_IN_USE. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateTenantDto'];
      };
    };
    responses: {
      /** @description The tenant, active */
      201: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TenantResource'];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. MALFORMED_JSON: The body is not valid JSON. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      409: components['responses']['IdempotencyKeyInUse'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['IdempotencyKeyReused'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getTenant: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The tenant's id */
        tenantId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The tenant */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TenantResource'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['TenantsNotFound'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  suspendTenant: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The tenant's id */
        tenantId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The tenant, suspended */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TenantResource'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['TenantsNotFound'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  resumeTenant: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The tenant's id */
        tenantId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The tenant, active */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TenantResource'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['TenantsNotFound'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listTenantCredentials: {
    parameters: {
      query?: {
        /** @description The most items on the page */
        limit?: number;
        /** @description nextCursor of the previous page */
        cursor?: string;
      };
      header?: never;
      path: {
        /** @description The tenant's id */
        tenantId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of credentials */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CredentialPage'];
        };
      };
      400: components['responses']['ValidationFailed'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['TenantsNotFound'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  createTenantCredential: {
    parameters: {
      query?: never;
      header?: {
        /** @description 1 to 255 printable ASCII characters (a UUID will do). A retry with the same key and the same body within 24 hours gets the first answer again (same status, same body, a secret included) and creates nothing; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED, and a retry while the first request is still running is 409 IDEMPOTENCY_KEY_IN_USE. */
        'Idempotency-Key'?: string;
      };
      path: {
        /** @description The tenant's id */
        tenantId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateCredentialDto'];
      };
    };
    responses: {
      /** @description The credential, with its token (shown this once) */
      201: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['IssuedCredentialResource'];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. MALFORMED_JSON: The body is not valid JSON. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['TenantsNotFound'];
      409: components['responses']['IdempotencyKeyInUse'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['IdempotencyKeyReused'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listCredentials: {
    parameters: {
      query?: {
        /** @description The most items on the page */
        limit?: number;
        /** @description nextCursor of the previous page */
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of credentials */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CredentialPage'];
        };
      };
      400: components['responses']['ValidationFailed'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  createCredential: {
    parameters: {
      query?: never;
      header?: {
        /** @description 1 to 255 printable ASCII characters (a UUID will do). A retry with the same key and the same body within 24 hours gets the first answer again (same status, same body, a secret included) and creates nothing; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED, and a retry while the first request is still running is 409 IDEMPOTENCY_KEY_IN_USE. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateCredentialDto'];
      };
    };
    responses: {
      /** @description The credential, with its token (shown this once) */
      201: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['IssuedCredentialResource'];
        };
      };
      400: components['responses']['ValidationFailedOrMalformedJson'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      409: components['responses']['IdempotencyKeyInUse'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['IdempotencyKeyReused'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  revokeCredential: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The credential's id */
        credentialId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Revoked */
      204: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content?: never;
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      /** @description NOT_FOUND: No such resource: unknown, malformed, or of another tenant (existence is not leaked). */
      404: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listAuditEvents: {
    parameters: {
      query?: {
        /** @description The most items on the page */
        limit?: number;
        /** @description nextCursor of the previous page */
        cursor?: string;
        from?: string;
        to?: string;
        action?: string;
        /** @description Events whose target is this key */
        keyId?: string;
        /** @description Events made by this credential id, or "platform" */
        actorId?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of events */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AuditEventPage'];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  exportAuditEvents: {
    parameters: {
      query?: {
        /** @description Events at or after this time */
        from?: string;
        /** @description Events before this time */
        to?: string;
        format?: 'ndjson' | 'csv';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Every matching event, streamed: NDJSON (one event per line) or CSV with a header row */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/x-ndjson': string;
          'text/csv': string;
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  verifyAuditChain: {
    parameters: {
      query?: {
        /** @description A kept checkpoint's seq; with checkpointHash, asks whether the chain still extends that checkpoint */
        checkpointSeq?: number;
        /** @description That checkpoint's headHash */
        checkpointHash?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The verdict */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AuditChainVerdict'];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getAuditCheckpoint: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The signed checkpoint */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AuditCheckpointResource'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listAuditCheckpoints: {
    parameters: {
      query?: {
        /** @description The most items on the page */
        limit?: number;
        /** @description nextCursor of the previous page */
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of checkpoints */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AuditCheckpointPage'];
        };
      };
      400: components['responses']['ValidationFailed'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getAuditSigningKeys: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The key set */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['JwksResource'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listKeys: {
    parameters: {
      query?: {
        /** @description The most items on the page */
        limit?: number;
        /** @description nextCursor of the previous page */
        cursor?: string;
        /** @description Only the keys of this owner */
        ownerId?: string;
        /** @description Only the keys in this status */
        status?: 'active' | 'disabled' | 'expired' | 'revoked';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of keys */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['KeyPage'];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  createKey: {
    parameters: {
      query?: never;
      header?: {
        /** @description 1 to 255 printable ASCII characters (a UUID will do). A retry with the same key and the same body within 24 hours gets the first answer again (same status, same body, a secret included) and creates nothing; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED, and a retry while the first request is still running is 409 IDEMPOTENCY_KEY_IN_USE. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateKeyDto'];
      };
    };
    responses: {
      /** @description The key, with its plaintext (shown this once) */
      201: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['IssuedKeyResource'];
        };
      };
      400: components['responses']['ValidationFailedOrMalformedJson'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      409: components['responses']['IdempotencyKeyInUse'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['IdempotencyKeyReused'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getKey: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The key's id */
        keyId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The key */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['KeyResource'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      404: components['responses']['KeysNotFound'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  updateKey: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The key's id */
        keyId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['UpdateKeyDto'];
      };
    };
    responses: {
      /** @description The key, changed */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['KeyResource'];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. MALFORMED_JSON: The body is not valid JSON. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      404: components['responses']['KeysNotFound'];
      /** @description CONFLICT: The key is revoked. */
      409: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getKeyUsage: {
    parameters: {
      query?: {
        /** @description Default: 24 hours (hour) or 30 days (day) before `to` */
        from?: string;
        /** @description Default: now */
        to?: string;
        /** @description The size of the buckets */
        granularity?: 'hour' | 'day';
      };
      header?: never;
      path: {
        /** @description The key's id */
        keyId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The buckets with traffic */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['KeyUsageResource'];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      404: components['responses']['KeysNotFound'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  rotateKey: {
    parameters: {
      query?: never;
      header?: {
        /** @description 1 to 255 printable ASCII characters (a UUID will do). A retry with the same key and the same body within 24 hours gets the first answer again (same status, same body, a secret included) and creates nothing; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED, and a retry while the first request is still running is 409 IDEMPOTENCY_KEY_IN_USE. */
        'Idempotency-Key'?: string;
      };
      path: {
        /** @description The key's id */
        keyId: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['RotateKeyDto'];
      };
    };
    responses: {
      /** @description The successor, its plaintext key, and when the old key stops working */
      201: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RotatedKeyResource'];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. MALFORMED_JSON: The body is not valid JSON. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      404: components['responses']['KeysNotFound'];
      /** @description CONFLICT: The key is revoked or expired, or was rotated already. IDEMPOTENCY_KEY_IN_USE: A request with the same Idempotency-Key is still in progress; retry shortly to get its answer. */
      409: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['IdempotencyKeyReused'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  revealKey: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The key's id */
        keyId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The plaintext, shown this once */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RevealedKeyResource'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      404: components['responses']['KeysNotFound'];
      /** @description GONE: The key was revealed already, its grace period ended, or it was not made by scheduled rotation. */
      410: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  revokeKey: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The key's id */
        keyId: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['RevokeKeyDto'];
      };
    };
    responses: {
      /** @description The key, revoked */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['KeyResource'];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. MALFORMED_JSON: The body is not valid JSON. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      404: components['responses']['KeysNotFound'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  reportKeyLeaked: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The key's id */
        keyId: string;
      };
      cookie?: never;
    };
    requestBody?: {
      content: {
        'application/json': components['schemas']['ReportKeyLeakDto'];
      };
    };
    responses: {
      /** @description The key, after the policy's action */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['KeyResource'];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. MALFORMED_JSON: The body is not valid JSON. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      404: components['responses']['KeysNotFound'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  reportLeakedTokensFromGithub: {
    parameters: {
      query?: never;
      header: {
        /** @description The ECDSA signature of the raw body, base64 of DER */
        'Github-Public-Key-Signature': string;
        /** @description The key_identifier of the key that signed the body */
        'Github-Public-Key-Identifier': string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['LeakReportItemDto'][];
      };
    };
    responses: {
      /** @description One label per reported token, in the order reported */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['LeakFeedbackResource'][];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. MALFORMED_JSON: The body is not valid JSON. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description UNAUTHENTICATED: A signature header is missing, names an unknown key, or the signature does not hold for the body. */
      401: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          'WWW-Authenticate': components['headers']['WWW-Authenticate'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      /** @description RATE_LIMITED: Too many reports from this address this minute; `Retry-After` says when to retry. */
      429: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          'Retry-After': components['headers']['Retry-After'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description SERVICE_UNAVAILABLE: GitHub's public keys could not be fetched and none is known yet, or a store is unavailable. */
      503: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          'Retry-After': components['headers']['Retry-After'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  changeKeyCredits: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The key's id */
        keyId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ChangeCreditsDto'];
      };
    };
    responses: {
      /** @description The balance after the change */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CreditsChangedResource'];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. MALFORMED_JSON: The body is not valid JSON. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      404: components['responses']['KeysNotFound'];
      409: components['responses']['InsufficientCreditsOrConflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getOwner: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The owner id its keys carry: 1 to 200 characters of A-Z a-z 0-9 _ . : @ - */
        ownerId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The owner */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['OwnerResource'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      404: components['responses']['OwnersNotFound'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  putOwner: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The owner id its keys carry: 1 to 200 characters of A-Z a-z 0-9 _ . : @ - */
        ownerId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['PutOwnerDto'];
      };
    };
    responses: {
      /** @description The owner, as it now is */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['OwnerResource'];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. MALFORMED_JSON: The body is not valid JSON. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  deleteOwner: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The owner id its keys carry: 1 to 200 characters of A-Z a-z 0-9 _ . : @ - */
        ownerId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted */
      204: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content?: never;
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      404: components['responses']['OwnersNotFound'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listOwners: {
    parameters: {
      query?: {
        /** @description The most items on the page */
        limit?: number;
        /** @description nextCursor of the previous page */
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of owners */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['OwnerPage'];
        };
      };
      400: components['responses']['ValidationFailed'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  changeOwnerCredits: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The owner id its keys carry: 1 to 200 characters of A-Z a-z 0-9 _ . : @ - */
        ownerId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ChangeCreditsDto'];
      };
    };
    responses: {
      /** @description The balance after the change */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CreditsChangedResource'];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. MALFORMED_JSON: The body is not valid JSON. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      404: components['responses']['OwnersNotFound'];
      409: components['responses']['InsufficientCreditsOrConflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getPolicy: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The policy */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TenantPolicyResource'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  replacePolicy: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['TenantPolicyDto'];
      };
    };
    responses: {
      /** @description The policy, as stored */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TenantPolicyResource'];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. MALFORMED_JSON: The body is not valid JSON. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getUnusedKeyReport: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The latest report */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['UnusedKeyReportResource'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      /** @description NOT_FOUND: No audit has run yet: the policy sets no unusedKeyDays, or its first run is still to come. */
      404: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listWebhooks: {
    parameters: {
      query?: {
        /** @description The most items on the page */
        limit?: number;
        /** @description nextCursor of the previous page */
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of webhooks */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookPage'];
        };
      };
      400: components['responses']['ValidationFailed'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  createWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateWebhookDto'];
      };
    };
    responses: {
      /** @description The webhook, with its signing secret (shown this once) */
      201: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CreatedWebhookResource'];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. MALFORMED_JSON: The body is not valid JSON. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  deleteWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The webhook's id */
        webhookId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted */
      204: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content?: never;
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      404: components['responses']['WebhooksNotFound'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listWebhookDeliveries: {
    parameters: {
      query?: {
        /** @description The most items on the page */
        limit?: number;
        /** @description nextCursor of the previous page */
        cursor?: string;
      };
      header?: never;
      path: {
        /** @description The webhook's id */
        webhookId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of deliveries */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['WebhookDeliveryPage'];
        };
      };
      400: components['responses']['ValidationFailed'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      404: components['responses']['WebhooksNotFound'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  retryJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The queue the job is in */
        queue: 'rotation' | 'expiry' | 'unused-audit' | 'signals' | 'webhooks' | 'housekeeping';
        /** @description The job, as listJobQueues shows it */
        jobId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The job, queued again */
      202: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RetriedJobResource'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['JobsNotFound'];
      /** @description CONFLICT: The job has not failed. */
      409: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listJobQueues: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The queues */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['QueuesOverviewResource'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  runJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The job: rotation, expiry, unused-audit or signals */
        name: 'rotation' | 'expiry' | 'unused-audit' | 'signals';
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Queued */
      202: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['JobRunResource'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['JobsNotFound'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The run, as runJob answered it: `<job name>_<uuid>` */
        jobId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The run */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['JobResource'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      404: components['responses']['JobsNotFound'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getRole: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The role's name: 1 to 64 characters of a-z 0-9 _ . : * - */
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The role */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RoleResource'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      404: components['responses']['RolesNotFound'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  putRole: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The role's name: 1 to 64 characters of a-z 0-9 _ . : * - */
        name: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['PutRoleDto'];
      };
    };
    responses: {
      /** @description The role, as it now is */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RoleResource'];
        };
      };
      /** @description VALIDATION_FAILED: A field, query value or header is invalid; `errors` names each one. MALFORMED_JSON: The body is not valid JSON. */
      400: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  deleteRole: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The role's name: 1 to 64 characters of a-z 0-9 _ . : * - */
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted */
      204: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content?: never;
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      404: components['responses']['RolesNotFound'];
      /** @description ROLE_IN_USE: Keys that are not revoked have the role: take it off them first. */
      409: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listRoles: {
    parameters: {
      query?: {
        /** @description The most items on the page */
        limit?: number;
        /** @description nextCursor of the previous page */
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of roles */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RolePage'];
        };
      };
      400: components['responses']['ValidationFailed'];
      401: components['responses']['Unauthenticated'];
      403: components['responses']['ForbiddenOrTenantSuspended'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  rotatePrincipalSigningKey: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The new current key */
      200: {
        headers: {
          'X-Request-Id': components['headers']['X-Request-Id'];
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SigningKeyRotationResource'];
        };
      };
      401: components['responses']['Unauthenticated'];
      403: components['responses']['Forbidden'];
      429: components['responses']['RateLimited'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
}
