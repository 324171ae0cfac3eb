import { randomUUID } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { AppError, ErrorCode, PUBLIC } from '@app/common';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { AuthContext } from './auth-context.js';
import { REQUIRED_ROLE } from './auth.decorators.js';
import { hasRole, Role } from './role.enum.js';

/** The HTTP request as the guard sees it, with the caller once authenticated. */
export interface AuthenticatedRequest {
  id?: string;
  headers: Record<string, string | string[] | undefined>;
  crmAuth?: AuthContext;
}

/** The request behind a GraphQL resolver or an HTTP handler. */
export function requestOf(context: ExecutionContext): AuthenticatedRequest {
  return context.getType<string>() === 'graphql'
    ? GqlExecutionContext.create(context).getContext<{ req: AuthenticatedRequest }>().req
    : context.switchToHttp().getRequest<AuthenticatedRequest>();
}

/**
 * Every operation needs `Authorization: Bearer <API key>` (except @Public ones)
 * and at least the role named by @RequireRole (OWNER when none is named).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets) ?? Role.OWNER;

    const request = requestOf(context);
    await this.authenticate(request);
    if (!hasRole(request.crmAuth!.role, required)) {
      throw new AppError(ErrorCode.FORBIDDEN, `This operation needs the ${required} role or higher`);
    }
    return true;
  }

  /** Puts the caller on the request (once), or throws UNAUTHENTICATED. */
  async authenticate(request: AuthenticatedRequest): Promise<void> {
    request.crmAuth ??= await this.apiKeys.authenticate(bearerToken(request), request.id ?? randomUUID());
  }
}

function bearerToken(request: AuthenticatedRequest): string {
  const header = request.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  if (!match) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Send an API key as `Authorization: Bearer <key>`');
  return match[1];
}
