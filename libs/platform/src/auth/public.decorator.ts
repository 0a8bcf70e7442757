import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'keyward:public';

/** Marks a route that needs no credential (health, metrics, docs). */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC, true);
