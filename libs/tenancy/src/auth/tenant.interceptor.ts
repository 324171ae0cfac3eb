import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { TenantContexts } from '@app/database';
import { requestOf } from './api-key.guard.js';
import { callerOf } from './auth-context.js';

/**
 * Runs each authenticated operation inside its caller's tenant context, so
 * TenantDb knows the organization. (Field resolvers are not wrapped: they
 * enter it through @Caller(), request-caller.ts.)
 */
@Injectable()
export class TenantInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = requestOf(context);
    if (!request.crmAuth) return next.handle();
    const caller = callerOf(request);
    return new Observable((subscriber) => TenantContexts.run(caller, () => next.handle().subscribe(subscriber)));
  }
}
