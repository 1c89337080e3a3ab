import type { authMethods } from '@shared/api/auth';
import type { DomainHandlers } from './dispatch';
import type { HandlerDeps } from './handlers';

export function authHandlers(d: HandlerDeps): DomainHandlers<keyof typeof authMethods> {
  return {
    'auth:status': (_args, ctx) => d.auth.status(ctx),
    'auth:setup': (args) => d.auth.setup(args),
    'auth:signIn': (args) => d.auth.signIn(args),
    'auth:signOut': (_args, ctx) => d.auth.signOut(ctx),
    'auth:users': () => d.auth.users(),
    'auth:createUser': (args, ctx) => d.auth.createUser(args, ctx),
    'auth:setRole': (args, ctx) => d.auth.setRole(args, ctx),
    'auth:resetPassword': (args, ctx) => d.auth.resetPassword(args, ctx),
    'auth:changePassword': (args, ctx) => d.auth.changePassword(args, ctx),
    'auth:signInPolicy': () => d.auth.signInPolicy(),
    'auth:setSignInPolicy': (args, ctx) => d.auth.setSignInPolicy(args, ctx),
    'auth:totpStatus': (_args, ctx) => d.auth.totpStatus(ctx),
    'auth:totpBegin': (args, ctx) => d.auth.totpBegin(args, ctx),
    'auth:totpConfirm': (args, ctx) => d.auth.totpConfirm(args, ctx),
    'auth:totpDisable': (args, ctx) => d.auth.totpDisable(args, ctx),
    'auth:totpReset': (args, ctx) => d.auth.totpReset(args, ctx),
  };
}
