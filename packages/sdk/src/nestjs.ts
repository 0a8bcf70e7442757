// NestJS: KeywardModule.forRoot/forRootAsync provides a KeywardVerifier; @RequireScopes(...) and
// @RequireScopeQuery(...) protect a route (or a controller) on their own; KeywardGuard protects one
// with any valid key; @KeywardPrincipal() hands the verified caller to the handler. Works on the
// Express and the Fastify platform (docs/sdk.md, "NestJS").
import {
  applyDecorators,
  createParamDecorator,
  HttpException,
  Inject,
  Injectable,
  Module,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  type FactoryProvider,
  type ModuleMetadata,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { checkRequest, mergeRequirements, settleDenial, type KeywardDenial, type KeywardRequirements, type OnDenied } from './http';
import { KeywardVerifier, type KeywardVerifierOptions, type VerifyResult } from './verifier';

export * from './http';

/** The Nest request as the guard sees it (Express's or Fastify's). */
export type KeywardNestRequest = {
  headers: Record<string, string | string[] | undefined>;
  url?: string;
  method?: string;
  ip?: string;
  keyward?: VerifyResult;
};

export interface KeywardModuleOptions extends KeywardVerifierOptions {
  /** Requirements of every route the guard protects, before the route's own. */
  defaults?: KeywardRequirements;
  /** The caller's address sent to verify (default: the request's `ip`). */
  ip?: (request: KeywardNestRequest) => string | undefined;
  onDenied?: OnDenied<KeywardNestRequest>;
}

export interface KeywardModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: any[]) => KeywardModuleOptions | Promise<KeywardModuleOptions>;
  inject?: FactoryProvider['inject'];
}

/** Injection token of the module's options. */
export const KEYWARD_OPTIONS = Symbol('KEYWARD_OPTIONS');
const REQUIREMENTS = 'keyward:requirements';

@Injectable()
export class KeywardGuard implements CanActivate {
  constructor(
    @Inject(KEYWARD_OPTIONS) private readonly options: KeywardModuleOptions,
    @Inject(KeywardVerifier) private readonly verifier: KeywardVerifier,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<KeywardNestRequest>();
    // Already verified by this guard for this request (the guard on a controller and a method).
    if (request.keyward) return true;
    const own = this.reflector.getAll<(KeywardRequirements | undefined)[]>(REQUIREMENTS, [context.getClass(), context.getHandler()]);
    const requirements = mergeRequirements(this.options.defaults, ...own);
    const ip = this.options.ip ? this.options.ip(request) : request.ip;
    const outcome = await checkRequest(this.verifier, request.headers, { ...requirements, ip });
    const response = http.getResponse<{ header(name: string, value: string): unknown }>();
    if ('principal' in outcome) {
      for (const [name, value] of Object.entries(outcome.principal.headers)) response.header(name, value);
      request.keyward = outcome.principal;
      return true;
    }
    const denial: KeywardDenial | null = await settleDenial(outcome.denial, request, this.options.onDenied);
    if (!denial) return true;
    for (const [name, value] of Object.entries(denial.headers)) response.header(name, value);
    // Nest's exception filter sends the body; Express and Fastify keep a content type already set.
    response.header('content-type', 'application/problem+json');
    throw new HttpException(denial.body, denial.status);
  }
}

/** Protects a route or controller: a VALID key granting every one of `scopes` (none: any valid key). */
export function RequireScopes(...scopes: string[]): ClassDecorator & MethodDecorator {
  return RequireKey({ scopes });
}

/** Protects a route or controller: a VALID key satisfying `query` (`a AND (b OR c)`). */
export function RequireScopeQuery(query: string): ClassDecorator & MethodDecorator {
  return RequireKey({ scopeQuery: query });
}

/** Protects a route or controller with any requirements (scopes, scopeQuery, cost, rateLimits). */
export function RequireKey(requirements: KeywardRequirements = {}): ClassDecorator & MethodDecorator {
  return applyDecorators(SetMetadata(REQUIREMENTS, requirements), UseGuards(KeywardGuard));
}

/** The verified caller a handler sees: the VALID answer (keyId, ownerId, scopes, meta...; `failedOpen: true` when failOpen let it through). */
export type KeywardPrincipal = VerifyResult;

/** The verified caller (the VALID answer: keyId, ownerId, scopes, meta...), or one of its fields. */
export const KeywardPrincipal = createParamDecorator((field: keyof VerifyResult | undefined, context: ExecutionContext) => {
  const principal = context.switchToHttp().getRequest<KeywardNestRequest>().keyward;
  return field ? principal?.[field] : principal;
});

function providersOf(options: Provider): Provider[] {
  return [
    options,
    {
      provide: KeywardVerifier,
      inject: [KEYWARD_OPTIONS],
      useFactory: (resolved: KeywardModuleOptions) => new KeywardVerifier(resolved),
    },
    KeywardGuard,
  ];
}

@Module({})
export class KeywardModule implements OnApplicationShutdown {
  constructor(@Inject(KeywardVerifier) private readonly verifier: KeywardVerifier) {}

  /** Closes the verifier's connection pool with the application. */
  async onApplicationShutdown(): Promise<void> {
    await this.verifier.close();
  }

  /** Registers the verifier and the guard for the whole application. */
  static forRoot(options: KeywardModuleOptions): DynamicModule {
    return {
      module: KeywardModule,
      global: true,
      providers: providersOf({ provide: KEYWARD_OPTIONS, useValue: options }),
      exports: [KeywardVerifier, KeywardGuard, KEYWARD_OPTIONS],
    };
  }

  /** The same, with options from a factory (a ConfigService, say). */
  static forRootAsync(options: KeywardModuleAsyncOptions): DynamicModule {
    return {
      module: KeywardModule,
      global: true,
      imports: options.imports ?? [],
      providers: providersOf({ provide: KEYWARD_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }),
      exports: [KeywardVerifier, KeywardGuard, KEYWARD_OPTIONS],
    };
  }
}

export { KeywardVerifier };
