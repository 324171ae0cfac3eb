import { type DynamicModule, Module } from '@nestjs/common';
import { ApiKeysResolver } from './api-keys/api-keys.resolver.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { ApiKeyGuard } from './auth/api-key.guard.js';
import { TenantInterceptor } from './auth/tenant.interceptor.js';
import { MembersResolver } from './members/members.resolver.js';
import { MembersService } from './members/members.service.js';
import { OrganizationsResolver } from './organizations/organizations.resolver.js';
import { OrganizationsService } from './organizations/organizations.service.js';
import { TENANCY_OPTIONS, type TenancyOptions } from './tenancy.options.js';

/** Organizations, members, API keys, roles, and the guard that resolves the tenant. */
@Module({})
export class TenancyModule {
  static forRoot(options: TenancyOptions): DynamicModule {
    return {
      module: TenancyModule,
      global: true,
      providers: [
        { provide: TENANCY_OPTIONS, useValue: options },
        ApiKeysService,
        MembersService,
        OrganizationsService,
        ApiKeyGuard,
        TenantInterceptor,
        OrganizationsResolver,
        MembersResolver,
        ApiKeysResolver,
      ],
      exports: [ApiKeysService, MembersService, OrganizationsService, ApiKeyGuard, TenantInterceptor],
    };
  }
}
