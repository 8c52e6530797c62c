export interface Point {
  t: number;
  value: number;
}

/** The least-squares line through the points, read at t; null with fewer than 2 distinct t. */
export function projectAt(points: readonly Point[], t: number): number | null {
  if (points.length < 2) return null;
  const meanT = points.reduce((s, p) => s + p.t, 0) / points.length;
  const meanV = points.reduce((s, p) => s + p.value, 0) / points.length;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.t - meanT) ** 2;
    sxy += (p.t - meanT) * (p.value - meanV);
  }
  return sxx === 0 ? null : meanV + (sxy / sxx) * (t - meanT);
}
