import type { z } from 'zod';
import { apiContract, ApiFailure, type ApiContract, type CallContext, type Envelope, type MethodName, type MethodResult } from '@shared/api-contract';
import type { Logger } from '../log/logger';

// Checks the caller's role, then validates arguments against the contract, before any handler runs and wraps
// every reply in an ok/error envelope the UI can branch on. Unexpected errors
// reach the UI as a generic message; details go to the log only.

export type Handler<M extends MethodName> = (args: z.output<ApiContract[M]['args']>, context: CallContext) => Promise<MethodResult<M>> | MethodResult<M>;

export type ApiHandlers = { [M in MethodName]: Handler<M> };

/** Handlers of one domain; the engine merges them into ApiHandlers. */
export type DomainHandlers<K extends MethodName> = { [M in K]: Handler<M> };

export type Dispatch = (name: string, args: unknown, context?: CallContext) => Promise<Envelope<unknown>>;

const CLI_CONTEXT: CallContext = { sessionToken: null, channel: 'cli' };

/** Decides whether this caller may call this method (its `role` in the contract, see auth/permissions.ts); throws ApiFailure('unauthenticated' | 'forbidden') if not. */
export type Authorize = (method: MethodName, context: CallContext) => void;

export function createDispatcher(handlers: ApiHandlers, logger: Logger, authorize: Authorize = () => {}): Dispatch {
  const failed = (method: MethodName, e: unknown): Envelope<unknown> => {
    if (e instanceof ApiFailure) return { ok: false, error: { code: e.code, message: e.message } };
    logger.error(`${method} failed: ${(e as Error)?.stack ?? String(e)}`);
    return { ok: false, error: { code: 'internal', message: `${method} failed: ${(e as Error)?.message ?? 'unexpected error'}` } };
  };
  return async (name, args, context = CLI_CONTEXT) => {
    if (!Object.prototype.hasOwnProperty.call(apiContract, name)) {
      return { ok: false, error: { code: 'unknown_method', message: `Unknown method ${name}` } };
    }
    const method = name as MethodName;
    try {
      // Permissions (each method's contract `role`) are enforced here, in the engine, not only by what the UI shows.
      // They run before the arguments are parsed, so a caller without the role learns nothing of the method's schema.
      authorize(method, context);
    } catch (e) {
      return failed(method, e);
    }
    const parsed = apiContract[method].args.safeParse(args ?? {});
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first?.path.length ? ` at ${first.path.join('.')}` : '';
      return { ok: false, error: { code: 'invalid_args', message: `Invalid arguments for ${method}${where}: ${first?.message ?? 'invalid'}` } };
    }
    try {
      const handler = handlers[method] as (a: unknown, c: CallContext) => Promise<unknown> | unknown;
      const value = await handler(parsed.data, context);
      return { ok: true, value };
    } catch (e) {
      return failed(method, e);
    }
  };
}
