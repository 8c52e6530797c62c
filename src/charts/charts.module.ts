import { Module } from '@nestjs/common';
import { ChartsService } from './charts.service.js';
import { ChartsStore } from './charts.store.js';

/** Target charts: SVG for pages, PNG for emails. Needs TypeORM's DataSource and APP_CONFIG (both global). */
@Module({
  providers: [ChartsStore, ChartsService],
  exports: [ChartsService],
})
export class ChartsModule {}
