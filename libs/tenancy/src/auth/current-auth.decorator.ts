import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { requestOf } from './api-key.guard.js';
import type { AuthContext } from './auth-context.js';

/** The authenticated caller of this operation. */
export const CurrentAuth = createParamDecorator((_: unknown, context: ExecutionContext): AuthContext => {
  const auth = requestOf(context).crmAuth;
  if (!auth) throw new Error('CurrentAuth used on an unauthenticated operation');
  return auth;
});
