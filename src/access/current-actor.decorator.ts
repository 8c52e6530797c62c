import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Actor } from './actor.js';

/** The authenticated actor the guard put on the request. */
export const CurrentActor = createParamDecorator(
  (_: unknown, context: ExecutionContext): Actor => context.switchToHttp().getRequest<FastifyRequest & { actor: Actor }>().actor,
);

export const IS_PUBLIC = 'tm:public';
/** A route anyone may call without credentials (login, refresh, health). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
