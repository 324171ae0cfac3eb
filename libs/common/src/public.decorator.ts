import { SetMetadata } from '@nestjs/common';

export const PUBLIC = 'crm:public';

/** No API key needed (health checks only). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC, true);
