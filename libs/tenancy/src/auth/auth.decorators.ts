import { SetMetadata } from '@nestjs/common';
import { Role } from './role.enum.js';

export const REQUIRED_ROLE = 'crm:required-role';

/** The least role allowed to call this operation. Operations without it need OWNER. */
export const RequireRole = (role: Role): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLE, role);
