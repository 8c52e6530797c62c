import type { EvaluateOptions, EvaluationResult, FigureRevision, TargetDefinition } from './evaluation.types.js';
import { currentFigures } from './figures.js';
import { evaluateFlow } from './flow.js';
import { evaluateLevel } from './level.js';
import { overdueOf } from './overdue.js';
import { DEFAULT_THRESHOLDS, round, type Verdict } from './status.js';

export { DEFAULT_THRESHOLDS } from './status.js';
export const DEFAULT_TZ = 'Asia/Shanghai';

function rounded(v: Verdict): Verdict {
  return {
    ...v,
    pace: round(v.pace),
    completion: round(v.completion),
    elapsed: round(v.elapsed),
    expected: round(v.expected),
    gap: round(v.gap),
    lag: round(v.lag),
    projected: round(v.projected),
    yearTarget: round(v.yearTarget),
    latestValue: round(v.latestValue),
  };
}

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
  const verdict = def.kind === 'level' ? evaluateLevel(def, figures, thresholds) : evaluateFlow(def, figures, thresholds);
  return { ...rounded(verdict), ...overdueOf(def, figures, asOf, tz), asOf };
}
