import { Module } from '@nestjs/common';
import { EvidenceController } from './evidence.controller.js';
import { EvidenceService } from './evidence.service.js';
import { EvidenceStore } from './evidence.store.js';

/** 佐证材料: files attached to a target's figure or explanation for a period, stored in PostgreSQL. */
@Module({
  controllers: [EvidenceController],
  providers: [EvidenceService, EvidenceStore],
  exports: [EvidenceService],
})
export class EvidenceModule {}
