import { createSecretKey } from 'node:crypto';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import type { AppConfig } from '../config/config.js';
import { AccountsStore } from './accounts.store.js';
import { AuthCache } from './auth-cache.js';
import { ApiTokensService } from './api-tokens.service.js';
import { ApiTokensStore } from './api-tokens.store.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { LockoutService } from './lockout.service.js';
import { LoginAttemptsStore } from './login-attempts.store.js';
import { ReauthService } from './reauth.service.js';
import { SessionsStore } from './sessions.store.js';

@Module({})
export class AuthModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      // A KeyObject, made once: given a string, jsonwebtoken first tries it as a PEM public key on every
      // verify (createPublicKey throws), ~0.7 ms of CPU a request.
      imports: [JwtModule.register({ secret: createSecretKey(Buffer.from(config.jwtSecret, 'utf8')), signOptions: { algorithm: 'HS256' } })],
      controllers: [AuthController],
      providers: [
        AuthCache, AuthService, ApiTokensService, LockoutService, ReauthService,
        AccountsStore, ApiTokensStore, LoginAttemptsStore, SessionsStore,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      // SessionsStore: ending a user's credentials is part of changing the user (users/).
      exports: [AuthService, AuthCache, SessionsStore],
    };
  }
}
