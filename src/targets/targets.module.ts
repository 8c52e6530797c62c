import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DepartmentsModule } from '../departments/departments.module.js';
import { Milestone } from './milestone.entity.js';
import { Target } from './target.entity.js';
import { TargetPageStore } from './target-page.store.js';
import { TargetsController } from './targets.controller.js';
import { TargetsService } from './targets.service.js';
import { TargetsStore } from './targets.store.js';

@Module({
  imports: [TypeOrmModule.forFeature([Target, Milestone]), DepartmentsModule],
  controllers: [TargetsController],
  providers: [TargetsStore, TargetsService, TargetPageStore],
  exports: [TargetsService, TargetPageStore],
})
export class TargetsModule {}
