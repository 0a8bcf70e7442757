import { generateSecretToken, hasValidBody, SECRET_TOKEN_BODY_PATTERN } from '@keyward/platform';

/** Tenant credentials are `<prefix>c_<body>` (docs/api.md, Secrets), `kwc_...` by default. */
export function credentialTokenHead(keyPrefix: string): string {
  return `${keyPrefix}c_`;
}

export function generateCredentialToken(keyPrefix: string): string {
  return generateSecretToken(credentialTokenHead(keyPrefix));
}

/** Shape and checksum only: a token failing this is refused without touching any store. */
export function isWellFormedCredentialToken(token: string, keyPrefix: string): boolean {
  return hasValidBody(token, credentialTokenHead(keyPrefix));
}

/** The regular expression (source) that finds this deployment's credentials in any text (docs/secret-scanning.md). */
export function credentialTokenPattern(keyPrefix: string): string {
  return `\\b${credentialTokenHead(keyPrefix)}${SECRET_TOKEN_BODY_PATTERN}\\b`;
}
