import type { EvaluateOptions, EvaluationResult, FigureRevision, TargetDefinition } from './evaluation.types.js';
import { currentFigures } from './figures.js';
import { evaluateFlow } from './flow.js';
import { evaluateLevel } from './level.js';
import { overdueOf } from './overdue.js';
import { DEFAULT_THRESHOLDS, round } from './status.js';

export { DEFAULT_THRESHOLDS } from './status.js';
export const DEFAULT_TZ = 'Asia/Shanghai';

/** Evaluates one target from the figure revisions recorded by `asOf` (DESIGN.md, "Evaluation rules"). */
export function evaluate(
  def: TargetDefinition,
  revisions: readonly FigureRevision[],
  asOf: Date,
  options: EvaluateOptions = {},
): EvaluationResult {
  const tz = options.tz ?? DEFAULT_TZ;
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const figures = currentFigures(revisions, asOf, def.frequency, tz);
  const v = def.kind === 'level' ? evaluateLevel(def, figures, thresholds) : evaluateFlow(def, figures, thresholds);
  const { overdue, duePeriod } = overdueOf(def, figures, asOf, tz);
  // One object, its fields in the order of the verdict's: no spread copies on this hot path.
  return {
    status: v.status,
    early: v.early,
    pace: round(v.pace),
    paceMethod: v.paceMethod,
    completion: round(v.completion),
    elapsed: round(v.elapsed),
    expected: round(v.expected),
    gap: round(v.gap),
    lag: round(v.lag),
    projected: round(v.projected),
    yearTarget: round(v.yearTarget),
    latestPeriod: v.latestPeriod,
    latestValue: round(v.latestValue),
    overdue,
    duePeriod,
    asOf,
  };
}
