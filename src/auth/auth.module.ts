import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import type { AppConfig } from '../config/config.js';
import { AuthCache } from './auth-cache.js';
import { ApiTokensService } from './api-tokens.service.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { LockoutService } from './lockout.service.js';
import { ReauthService } from './reauth.service.js';

@Module({})
export class AuthModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [JwtModule.register({ secret: config.jwtSecret, signOptions: { algorithm: 'HS256' } })],
      controllers: [AuthController],
      providers: [AuthCache, AuthService, ApiTokensService, LockoutService, ReauthService, { provide: APP_GUARD, useClass: AuthGuard }],
      exports: [AuthService, AuthCache],
    };
  }
}
