import { Module } from '@nestjs/common';
import { FigureReviewsController } from './figure-reviews.controller.js';
import { FigureReviewsService } from './figure-reviews.service.js';
import { FiguresController } from './figures.controller.js';
import { FiguresService } from './figures.service.js';
import { FiguresStore } from './figures.store.js';
import { ReviewsStore } from './reviews.store.js';

@Module({
  controllers: [FiguresController, FigureReviewsController],
  providers: [FiguresService, FiguresStore, ReviewsStore, FigureReviewsService],
  exports: [FiguresService, FigureReviewsService],
})
export class FiguresModule {}
