// The services' OpenAPI documents as they serve them at /openapi.json, and the files they are
// committed as: test/openapi.e2e-spec.ts compares the two, and `npm run openapi` (scripts/openapi.ts)
// writes the files again.
import { request } from './http-client';

/** Where each service's document is committed. */
export const OPENAPI_FILES = { 'admin-api': 'docs/openapi/admin-api.json', verify: 'docs/openapi/verify.json' } as const;

export type OpenApiService = keyof typeof OPENAPI_FILES;

/** The document a running service serves. */
export async function servedOpenApiDocument(baseUrl: string): Promise<Record<string, any>> {
  const response = await request(baseUrl, 'GET', '/openapi.json');
  if (response.status !== 200) throw new Error(`GET ${baseUrl}/openapi.json answered ${response.status}`);
  return response.body;
}

/** A document as its file holds it: JSON indented by 2 spaces, with a final newline (Prettier leaves docs/openapi/ alone). */
export function openApiFileText(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
