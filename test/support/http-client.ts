/** A response as tests look at it: status, headers and the parsed body. */
export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** A raw body sent as is (for malformed-input tests). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export async function request<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<TestResponse<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

/** A client bound to one service and one bearer token. */
export function client(baseUrl: string, token?: string) {
  const call = <T = any>(method: string, path: string, options: Omit<RequestOptions, 'token'> = {}) =>
    request<T>(baseUrl, method, path, { token, ...options });
  return {
    get: <T = any>(path: string, options?: Omit<RequestOptions, 'token'>) => call<T>('GET', path, options),
    post: <T = any>(path: string, body?: unknown, options?: Omit<RequestOptions, 'token' | 'body'>) =>
      call<T>('POST', path, { ...options, body }),
    patch: <T = any>(path: string, body?: unknown, options?: Omit<RequestOptions, 'token' | 'body'>) =>
      call<T>('PATCH', path, { ...options, body }),
    put: <T = any>(path: string, body?: unknown, options?: Omit<RequestOptions, 'token' | 'body'>) =>
      call<T>('PUT', path, { ...options, body }),
    delete: <T = any>(path: string, options?: Omit<RequestOptions, 'token'>) => call<T>('DELETE', path, options),
  };
}
