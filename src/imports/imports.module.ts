import { Module } from '@nestjs/common';
import { FiguresModule } from '../figures/figures.module.js';
import { ExportsService } from './exports.service.js';
import { ExportsStore } from './exports.store.js';
import { ExportsController, ImportsController } from './imports.controller.js';
import { ImportsService } from './imports.service.js';
import { ImportsStore } from './imports.store.js';
import { SheetParser } from './sheet-parser.js';

/** Spreadsheet import of figures (preview, apply) and the spreadsheet exports. */
@Module({
  imports: [FiguresModule],
  controllers: [ImportsController, ExportsController],
  providers: [ImportsService, ImportsStore, ExportsService, ExportsStore, SheetParser],
  exports: [ImportsService, ExportsService],
})
export class ImportsModule {}
