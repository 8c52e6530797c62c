import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../access/actor.js';
import { CurrentActor } from '../access/current-actor.decorator.js';
import { ApiZodQuery } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { type AuditQuery, auditQuerySchema } from './audit.schema.js';
import { AuditService } from './audit.service.js';
import { Returns } from '../contract/returns.js';

@ApiTags('audit 审计')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiZodQuery(auditQuerySchema)
  @Returns('AuditPage')
  list(@CurrentActor() actor: Actor, @Query(new ZodPipe(auditQuerySchema)) query: AuditQuery) {
    return this.audit.list(actor, query);
  }
}
