import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor.js';
import { CurrentActor } from '../access/current-actor.decorator.js';
import { IfMatch } from '../common/etag.interceptor.js';
import { ApiZodBody, ApiZodQuery } from '../common/openapi.js';
import { type PageQuery, pageOf, pageQuerySchema } from '../common/paging.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { type CreateDepartment, createDepartmentSchema, type UpdateDepartment, updateDepartmentSchema } from './department.schema.js';
import { DepartmentsService } from './departments.service.js';
import { Returns } from '../contract/returns.js';

@ApiTags('departments 部门')
@ApiBearerAuth()
@Controller('departments')
export class DepartmentsController {
  constructor(private readonly departments: DepartmentsService) {}

  @Get()
  @ApiZodQuery(pageQuerySchema)
  @Returns('DepartmentPage')
  async list(@Query(new ZodPipe(pageQuerySchema)) query: PageQuery) {
    return pageOf(await this.departments.list(), query);
  }

  @Get(':code')
  @Returns('Department')
  get(@Param('code') code: string) {
    return this.departments.get(code);
  }

  @Post()
  @ApiZodBody(createDepartmentSchema)
  @Returns('Department', 201)
  create(@CurrentActor() actor: Actor, @Body(new ZodPipe(createDepartmentSchema)) body: CreateDepartment) {
    return this.departments.create(actor, body);
  }

  @Patch(':code')
  @ApiZodBody(updateDepartmentSchema)
  @Returns('Department')
  update(
    @CurrentActor() actor: Actor, @Param('code') code: string, @Body(new ZodPipe(updateDepartmentSchema)) body: UpdateDepartment,
    @IfMatch() ifMatch?: string,
  ) {
    return this.departments.update(actor, code, body, ifMatch);
  }
}
