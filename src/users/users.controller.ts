import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor.js';
import { CurrentActor } from '../access/current-actor.decorator.js';
import { IfMatch } from '../common/etag.interceptor.js';
import { idParam } from '../common/id-param.js';
import { ApiZodBody, ApiZodQuery } from '../common/openapi.js';
import { type PageQuery, pageOf, pageQuerySchema } from '../common/paging.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { type CreateUser, createUserSchema, type UpdateUser, updateUserSchema } from './user.schema.js';
import { UsersService } from './users.service.js';
import { Returns } from '../contract/returns.js';

@ApiTags('users 用户')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiZodQuery(pageQuerySchema)
  @Returns('UserPage')
  async list(@CurrentActor() actor: Actor, @Query(new ZodPipe(pageQuerySchema)) query: PageQuery) {
    return pageOf(await this.users.list(actor), query);
  }

  @Post()
  @ApiZodBody(createUserSchema)
  @Returns('User', 201)
  create(@CurrentActor() actor: Actor, @Body(new ZodPipe(createUserSchema)) body: CreateUser) {
    return this.users.create(actor, body);
  }

  @Get(':id')
  @Returns('User')
  get(@CurrentActor() actor: Actor, @Param('id', idParam()) id: number) {
    return this.users.get(actor, id);
  }

  @Patch(':id')
  @ApiZodBody(updateUserSchema)
  @Returns('User')
  update(
    @CurrentActor() actor: Actor, @Param('id', idParam()) id: number, @Body(new ZodPipe(updateUserSchema)) body: UpdateUser,
    @IfMatch() ifMatch?: string,
  ) {
    return this.users.update(actor, id, body, ifMatch);
  }
}
