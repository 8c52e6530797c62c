import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.js';
import { AuthService } from './auth.service.js';
import { IS_PUBLIC } from '../access/current-actor.decorator.js';

/** Every route needs a bearer token unless @Public(); authorization (403) is the services', shared with jobs. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { actor?: Actor }>();
    request.actor = await this.auth.authenticate(request.headers.authorization, request.ip ?? null);
    return true;
  }
}
