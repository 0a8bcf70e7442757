// KeywardAdmin: a typed client of the whole admin API (every path, method, parameter, body and
// answer typed from docs/openapi/admin-api.json, by openapi-fetch). A call answers the success
// body; a problem answer raises KeywardApiError (docs/sdk.md, "Admin API").
import createClient, {
  type Client,
  type ClientOptions,
  type ClientPathsWithMethod,
  type MaybeOptionalInit,
  type MethodResponse,
} from 'openapi-fetch';
import { KeywardApiError, problemOf } from './errors';
import type { components, paths } from './generated/admin-api';

export type { components as AdminComponents, paths as AdminPaths };
/** A schema of the admin API by name: `AdminSchema<'KeyResource'>`. */
export type AdminSchema<Name extends keyof components['schemas']> = components['schemas'][Name];

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
type RequiredKeysOfHelper<T> = { [K in keyof T]: Partial<Pick<T, K>> extends Pick<T, K> ? never : K }[keyof T];
type RequiredKeysOf<T> = RequiredKeysOfHelper<T> extends undefined ? never : RequiredKeysOfHelper<T>;
type InitParam<Init> = RequiredKeysOf<Init> extends never ? [(Init & { [key: string]: unknown })?] : [Init & { [key: string]: unknown }];

/** One method of the admin API: the path, its params and body as openapi-fetch takes them; answers the success body. */
export type AdminMethod<M extends Method> = <
  Path extends ClientPathsWithMethod<Client<paths>, M>,
  Init extends MaybeOptionalInit<paths[Path], M>,
>(
  url: Path,
  ...init: InitParam<Init>
) => Promise<MethodResponse<Client<paths>, M, Path, Init>>;

export interface KeywardAdminOptions {
  /** The admin API's base URL, e.g. `http://keyward-admin:3000`. */
  baseUrl: string;
  /** A tenant admin credential (`kwc_...`), or the platform operator's token. */
  token: string;
  /** A fetch of your own (default: the global one). */
  fetch?: ClientOptions['fetch'];
}

async function successOf(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<any> {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) {
    throw new KeywardApiError(problemOf(response.status, error, response.headers.get('x-request-id') ?? undefined));
  }
  return data;
}

export class KeywardAdmin {
  /** The openapi-fetch client itself, answering `{data, error, response}` without raising. */
  readonly raw: Client<paths>;
  readonly GET: AdminMethod<'get'>;
  readonly POST: AdminMethod<'post'>;
  readonly PUT: AdminMethod<'put'>;
  readonly PATCH: AdminMethod<'patch'>;
  readonly DELETE: AdminMethod<'delete'>;

  constructor(options: KeywardAdminOptions) {
    if (!options.baseUrl) throw new TypeError('KeywardAdmin: baseUrl is required');
    if (!options.token) throw new TypeError('KeywardAdmin: token is required');
    this.raw = createClient<paths>({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      headers: { authorization: `Bearer ${options.token}` },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    const raw = this.raw as any;
    this.GET = ((url: string, init?: unknown) => successOf(raw.GET(url, init))) as AdminMethod<'get'>;
    this.POST = ((url: string, init?: unknown) => successOf(raw.POST(url, init))) as AdminMethod<'post'>;
    this.PUT = ((url: string, init?: unknown) => successOf(raw.PUT(url, init))) as AdminMethod<'put'>;
    this.PATCH = ((url: string, init?: unknown) => successOf(raw.PATCH(url, init))) as AdminMethod<'patch'>;
    this.DELETE = ((url: string, init?: unknown) => successOf(raw.DELETE(url, init))) as AdminMethod<'delete'>;
  }

  toString(): string {
    return 'KeywardAdmin';
  }
}
