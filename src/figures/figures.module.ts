import { Module } from '@nestjs/common';
import { FiguresController } from './figures.controller.js';
import { FiguresService } from './figures.service.js';
import { FiguresStore } from './figures.store.js';

@Module({
  controllers: [FiguresController],
  providers: [FiguresService, FiguresStore],
  exports: [FiguresService],
})
export class FiguresModule {}
