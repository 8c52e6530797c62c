import { Inject, Injectable } from '@nestjs/common';
import { invalid, notFound } from '../common/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { definitionFromRow } from '../targets/target.mapper.js';
import { chartModel, type ChartModel } from './chart-model.js';
import { renderChartPng } from './chart-png.js';
import { type ChartLang, MAX_SIZE, MIN_SIZE, renderChartSvg } from './chart-svg.js';
import { ChartsStore } from './charts.store.js';

export interface ChartRequest {
  /** default 'zh' */
  lang?: ChartLang;
  /** pixels; default 640 × 320 */
  width?: number;
  height?: number;
  /** default: the target's name; '' for none */
  title?: string;
  /** default: the as-of moment of the target's latest stored evaluation, else now */
  asOf?: Date;
}

export const CHART_DEFAULTS = { lang: 'zh' as ChartLang, width: 640, height: 320 };

/** A target's chart: two queries, then the pure chartModel / renderChartSvg / renderChartPng. */
@Injectable()
export class ChartsService {
  constructor(
    private readonly store: ChartsStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The chart's data (series by period); 404 (DomainError not_found) when the code is unknown. Archived targets too. */
  async modelForTarget(code: string, options: Pick<ChartRequest, 'asOf'> = {}): Promise<ChartModel> {
    const target = await this.store.target(code);
    if (!target) throw notFound(`指标 ${code}`);
    const asOf = options.asOf ?? target.as_of ?? new Date();
    // Every revision recorded by then: the rules pick each period's value as of that moment.
    const revisions = await this.store.revisionsUpTo(target.id, asOf);
    // The stored verdict labels the chart only when it is the one for this moment.
    const evaluation = target.status !== null && target.as_of !== null && target.as_of.getTime() === asOf.getTime()
      ? { status: target.status, early: target.early ?? false, asOf: target.as_of }
      : null;
    return chartModel({
      target: { ...definitionFromRow(target), code: target.code, name: target.name, unit: target.unit },
      figures: revisions.map((r) => ({ period: r.period, value: Number(r.value), basis: r.basis, recordedAt: r.recorded_at })),
      evaluation,
      asOf,
      tz: this.config.scheduleTz,
    });
  }

  /** The target's chart as SVG markup (for the target page: inline it, it is escaped). */
  async svgForTarget(code: string, options: ChartRequest = {}): Promise<string> {
    return this.svg(await this.modelForTarget(code, options), options);
  }

  /** The target's chart as a PNG (for emails). */
  async pngForTarget(code: string, options: ChartRequest = {}): Promise<Buffer> {
    return this.png(await this.modelForTarget(code, options), options);
  }

  /** Renders a model; a size outside 120–2400 px (or not an integer) is a DomainError `invalid` (422). */
  svg(model: ChartModel, options: Omit<ChartRequest, 'asOf'> = {}): string {
    const width = options.width ?? CHART_DEFAULTS.width;
    const height = options.height ?? CHART_DEFAULTS.height;
    const bad = (['width', 'height'] as const).filter((k) => {
      const v = k === 'width' ? width : height;
      return !Number.isInteger(v) || v < MIN_SIZE || v > MAX_SIZE;
    });
    if (bad.length) {
      throw invalid(bad.map((path) => ({ path, message: `图表尺寸须为 ${MIN_SIZE}–${MAX_SIZE} 的整数像素 (chart ${path}: an integer from ${MIN_SIZE} to ${MAX_SIZE})` })));
    }
    return renderChartSvg(model, { lang: options.lang ?? CHART_DEFAULTS.lang, width, height, title: options.title });
  }

  png(model: ChartModel, options: Omit<ChartRequest, 'asOf'> = {}): Promise<Buffer> {
    return renderChartPng(this.svg(model, options), { width: options.width ?? CHART_DEFAULTS.width });
  }
}
