import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiZodBody, ApiZodQuery } from '../common/openapi.js';
import { type PageQuery, pageOf, pageQuerySchema } from '../common/paging.js';
import { ZodPipe } from '../common/zod.pipe.js';
import {
  type ChangePassword, changePasswordSchema, type CreateToken, createTokenSchema, type Login, loginSchema, type Refresh, refreshSchema, type RenewToken,
  renewTokenSchema,
} from './auth.schema.js';
import type { Actor, Role } from '../access/actor.js';
import type { MeJson } from './me-json.js';
import { ApiTokensService } from './api-tokens.service.js';
import { AuthService } from './auth.service.js';
import { ReauthService } from './reauth.service.js';
import { CurrentActor, Public } from '../access/current-actor.decorator.js';
import { Returns, ReturnsNothing } from '../contract/returns.js';

@ApiTags('auth 登录与令牌')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly tokens: ApiTokensService,
    private readonly reauth: ReauthService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiZodBody(loginSchema)
  @Returns('TokenPair')
  login(@Body(new ZodPipe(loginSchema)) body: Login, @Req() request: FastifyRequest) {
    return this.auth.login(body.email, body.password, request.ip ?? null);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiZodBody(refreshSchema)
  @Returns('TokenPair')
  refresh(@Body(new ZodPipe(refreshSchema)) body: Refresh, @Req() request: FastifyRequest) {
    return this.auth.refresh(body.refreshToken, request.ip ?? null);
  }

  @ApiBearerAuth()
  @Post('logout')
  @HttpCode(204)
  @ReturnsNothing()
  logout(@CurrentActor() actor: Actor) {
    return this.auth.logout(actor);
  }

  /** The current password re-entered; every session (this one too) and API token of the user end. */
  @ApiBearerAuth()
  @Post('password')
  @HttpCode(204)
  @ApiZodBody(changePasswordSchema)
  @ReturnsNothing()
  async changePassword(@CurrentActor() actor: Actor, @Body(new ZodPipe(changePasswordSchema)) body: ChangePassword) {
    await this.reauth.changeOwnPassword(actor, body);
  }

  /** Every session of the user (pages and API) and every API token it has end at once. */
  @ApiBearerAuth()
  @Post('logout-everywhere')
  @HttpCode(204)
  @ReturnsNothing()
  async logoutEverywhere(@CurrentActor() actor: Actor) {
    await this.auth.logoutEverywhere(actor);
  }

  @ApiBearerAuth()
  @Get('me')
  @Returns('Me')
  me(@CurrentActor() actor: Actor): MeJson {
    return { id: actor.userId, email: actor.email, role: actor.role, via: actor.tokenId ? 'api-token' : 'session' };
  }

  @ApiBearerAuth()
  @Get('tokens')
  @ApiZodQuery(pageQuerySchema)
  @Returns('ApiTokenPage')
  async listTokens(@CurrentActor() actor: Actor, @Query(new ZodPipe(pageQuerySchema)) query: PageQuery) {
    return pageOf(await this.tokens.list(actor), query);
  }

  /** The token is in the response once and never again. */
  @ApiBearerAuth()
  @Post('tokens')
  @ApiZodBody(createTokenSchema)
  @Returns('CreatedApiToken', 201)
  createToken(@CurrentActor() actor: Actor, @Body(new ZodPipe(createTokenSchema)) body: CreateToken) {
    return this.tokens.create(actor, body);
  }

  @ApiBearerAuth()
  @Post('tokens/:id/renew')
  @HttpCode(200)
  @ApiZodBody(renewTokenSchema)
  @Returns('ApiToken')
  renewToken(@CurrentActor() actor: Actor, @Param('id') id: string, @Body(new ZodPipe(renewTokenSchema)) body: RenewToken) {
    return this.tokens.renew(actor, id, body);
  }

  @ApiBearerAuth()
  @Delete('tokens/:id')
  @HttpCode(204)
  @ReturnsNothing()
  revokeToken(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.tokens.revoke(actor, id);
  }
}
