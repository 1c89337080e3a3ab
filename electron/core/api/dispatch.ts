import type { z } from 'zod';
import { apiContract, ApiFailure, type ApiContract, type Envelope, type MethodName, type MethodResult } from '@shared/api-contract';
import type { Logger } from '../log/logger';

// Validates arguments against the contract before any handler runs and wraps
// every reply in an ok/error envelope the UI can branch on. Unexpected errors
// reach the UI as a generic message; details go to the log only.

export type ApiHandlers = {
  [M in MethodName]: (args: z.output<ApiContract[M]['args']>) => Promise<MethodResult<M>> | MethodResult<M>;
};

export type Dispatch = (name: string, args: unknown) => Promise<Envelope<unknown>>;

export function createDispatcher(handlers: ApiHandlers, logger: Logger): Dispatch {
  return async (name, args) => {
    if (!Object.prototype.hasOwnProperty.call(apiContract, name)) {
      return { ok: false, error: { code: 'unknown_method', message: `Unknown method ${name}` } };
    }
    const method = name as MethodName;
    const parsed = apiContract[method].args.safeParse(args ?? {});
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first?.path.length ? ` at ${first.path.join('.')}` : '';
      return { ok: false, error: { code: 'invalid_args', message: `Invalid arguments for ${method}${where}: ${first?.message ?? 'invalid'}` } };
    }
    try {
      const handler = handlers[method] as (a: unknown) => Promise<unknown> | unknown;
      const value = await handler(parsed.data);
      return { ok: true, value };
    } catch (e) {
      if (e instanceof ApiFailure) return { ok: false, error: { code: e.code, message: e.message } };
      logger.error(`${method} failed: ${(e as Error)?.stack ?? String(e)}`);
      return { ok: false, error: { code: 'internal', message: `${method} failed: ${(e as Error)?.message ?? 'unexpected error'}` } };
    }
  };
}
