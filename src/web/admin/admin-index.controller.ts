import { Controller, Get, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../access/current-actor.decorator.js';
import { assertCan } from '../../access/permissions.js';
import { Views } from '../views.js';
import { Web, type WebContext } from '../web-context.js';
import { WebErrorFilter } from '../web-error.filter.js';
import { WebGuard } from '../web.guard.js';

@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller()
export class AdminIndexController {
  constructor(private readonly views: Views) {}

  @Get('admin')
  index(@Web() web: WebContext, @Res() reply: FastifyReply) {
    assertCan(web.actor!, 'targets.write');
    return this.views.send(reply, 'admin-index', web, { title: web.t('管理', 'Admin') });
  }
}
