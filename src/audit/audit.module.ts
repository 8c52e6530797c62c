import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';
import { AuditService } from './audit.service.js';
import { AuditStore } from './audit.store.js';

@Global()
@Module({ controllers: [AuditController], providers: [AuditStore, AuditService], exports: [AuditService] })
export class AuditModule {}
