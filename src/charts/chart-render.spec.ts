import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Resvg } from '@resvg/resvg-js';
import { decodePng } from '../../test/support/png.js';
import { chartModel, type ChartModel, type ChartTarget } from './chart-model.js';
import { CJK_FONT_FAMILY, cjkFontFiles, pngRenderOptions, renderChartPng } from './chart-png.js';
import { CHART_FONT_FAMILY, renderChartSvg } from './chart-svg.js';

const RECORDED = new Date('2020-01-01T00:00:00Z');
const LEVEL: ChartTarget = {
  code: 'DT-ENTERPRISES', name: '数字化改造企业数', unit: '家', kind: 'level', comparator: '>=',
  baseline: { period: '2023', value: 200 }, target: { period: '2025', value: 350 }, milestones: [{ period: '2024', value: 280 }],
};
const FLOW: ChartTarget = {
  code: 'NEV-OUTPUT', name: '智能网联新能源汽车年产值', unit: '亿元', kind: 'flow', comparator: '>=',
  baseline: null, target: { period: '2025', value: 2000 },
};
const level = (target: Partial<ChartTarget> = {}): ChartModel => chartModel({
  target: { ...LEVEL, ...target }, asOf: new Date('2025-02-01T00:00:00Z'),
  figures: [{ period: '2024Q2', value: 230, recordedAt: RECORDED }, { period: '2024Q4', value: 260, recordedAt: RECORDED }],
});
const flow = (): ChartModel => chartModel({
  target: FLOW, asOf: new Date('2025-07-25T00:00:00Z'),
  figures: [{ period: '2025Q1', value: 380, recordedAt: RECORDED }, { period: '2025Q2', value: 820, recordedAt: RECORDED }],
});

/** The text nodes of an SVG, unescaped. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'));

describe('renderChartSvg', () => {
  const LABELS = {
    zh: ['目标值', '序时进度', '实际值', '预测'],
    en: ['Target', 'Expected pace', 'Actual', 'Projection'],
  } as const;
  const CASES = [
    { name: 'level, zh', model: level, lang: 'zh', more: ['数字化改造企业数', '阶段目标', '状态：滞后 · 实际值 260家（2024年四季度）', '家', '2023年四季度', '2025年四季度'] },
    { name: 'level, en', model: level, lang: 'en', more: ['Milestones', 'Status: lagging · Actual 260 家 (2024Q4)'] },
    { name: 'flow, zh', model: flow, lang: 'zh', more: ['智能网联新能源汽车年产值', '2025年累计值 · 状态：滞后 · 实际值 820亿元（2025年二季度）', '2025年一季度', '2025年四季度'] },
    { name: 'flow, en', model: flow, lang: 'en', more: ['2025 year to date · Status: lagging · Actual 820 亿元 (2025Q2)'] },
  ] as const;
  for (const c of CASES) {
    it(`${c.name}: an SVG of the size asked for, with the series labels in the language`, () => {
      const svg = renderChartSvg(c.model(), { width: 640, height: 320, lang: c.lang });
      assert.match(svg, /^<svg [^>]*width="640" height="320"/);
      assert.ok(svg.trimEnd().endsWith('</svg>'));
      const shown = texts(svg);
      for (const label of [...LABELS[c.lang], ...c.more]) assert.ok(shown.includes(label), `"${label}" in ${JSON.stringify(shown)}`);
      const other = LABELS[c.lang === 'zh' ? 'en' : 'zh'];
      for (const label of other) assert.ok(!shown.includes(label), `no "${label}"`);
      assert.ok(svg.includes(`font-family:${CHART_FONT_FAMILY}`), 'the CJK font is named');
      assert.ok(!/<animate/.test(svg), 'no animation');
    });
  }

  it('escapes the name, unit and title (user input): no markup gets through', () => {
    const model = level({ name: '<img src=x onerror=alert(1)>', unit: '<script>alert(1)</script>' });
    for (const title of [undefined, '</text><script>alert(2)</script>']) {
      const svg = renderChartSvg(model, { width: 640, height: 320, lang: 'zh', title });
      assert.ok(!/<script/i.test(svg), 'no <script>');
      assert.ok(!/<img/i.test(svg), 'no <img>');
      assert.ok(svg.includes('&lt;script&gt;'), 'the unit is there, escaped');
      const shown = texts(svg);
      assert.ok(shown.includes('<script>alert(1)</script>'), JSON.stringify(shown));
    }
  });

  it('draws no title when given an empty one', () => {
    const svg = renderChartSvg(level(), { width: 480, height: 200, lang: 'zh', title: '' });
    assert.ok(!texts(svg).includes('数字化改造企业数'));
    assert.ok(texts(svg).includes('实际值'));
  });

  it('refuses sizes out of range', () => {
    for (const [width, height] of [[0, 300], [640, 50], [10_000, 300], [640.5, 300], [Number.NaN, 300]]) {
      assert.throws(() => renderChartSvg(level(), { width, height, lang: 'zh' }), RangeError, `${width}×${height}`);
    }
  });
});

/** Dark pixels (RGBA) in a rectangle. */
function darkPixels(pixels: Buffer, width: number, box: { x: number; y: number; w: number; h: number }): number {
  let n = 0;
  for (let y = box.y; y < box.y + box.h; y++) {
    for (let x = box.x; x < box.x + box.w; x++) {
      const i = (y * width + x) * 4;
      if (pixels[i] < 140 && pixels[i + 1] < 140 && pixels[i + 2] < 140) n++;
    }
  }
  return n;
}

describe('renderChartPng', () => {
  it('has the CJK font (apt-get install fonts-wqy-microhei)', () => {
    assert.ok(cjkFontFiles().length > 0, 'no CJK font file: Chinese labels would not render in emails');
  });

  it('a PNG of the width asked for, height by the aspect ratio', async (t) => {
    const svg = renderChartSvg(level(), { width: 640, height: 320, lang: 'zh' });
    for (const width of [640, 1280, 320]) {
      const png = await renderChartPng(svg, { width });
      const decoded = decodePng(png);
      assert.deepEqual([decoded.width, decoded.height], [width, width / 2]);
      assert.ok(png.length > 2_000, `${png.length} bytes`);
      t.diagnostic(`${width}×${width / 2}: ${png.length} bytes`);
    }
    await assert.rejects(renderChartPng(svg, { width: 0 }), RangeError);
  });

  it('renders Chinese glyphs, not empty boxes: two characters differ with the CJK font, not without it', () => {
    const glyph = (ch: string, font: ReturnType<typeof pngRenderOptions>['font']) => {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><text x="4" y="32" style="font-size:32px;font-family:${CHART_FONT_FAMILY}" fill="#000">${ch}</text></svg>`;
      const image = new Resvg(svg, { ...pngRenderOptions({ width: 40 }), font }).render();
      return { pixels: image.pixels, dark: darkPixels(image.pixels, 40, { x: 0, y: 0, w: 40, h: 40 }) };
    };
    const ours = pngRenderOptions({ width: 40 }).font;
    assert.equal(ours?.defaultFontFamily, CJK_FONT_FAMILY);
    const [a, b] = [glyph('数', ours), glyph('字', ours)];
    assert.ok(a.dark > 40 && b.dark > 40, `ink: ${a.dark}, ${b.dark}`);
    assert.ok(!a.pixels.equals(b.pixels), '数 and 字 look different');
    // Control: with a Latin-only font both come out as the same missing-glyph box.
    const latin = { loadSystemFonts: false, fontFiles: ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'], defaultFontFamily: 'DejaVu Sans' };
    const [x, y] = [glyph('数', latin), glyph('字', latin)];
    assert.ok(x.pixels.equals(y.pixels), 'without a CJK font the two are indistinguishable');
  });

  it('the chart’s title and legend have ink in the PNG', async () => {
    const svg = renderChartSvg(level(), { width: 640, height: 320, lang: 'zh' });
    const image = new Resvg(svg, pngRenderOptions({ width: 640 })).render();
    // 数字化改造企业数 at the top left (15px, 8 px in), the legend at the top right.
    const box = { x: 8, y: 4, w: 130, h: 24 };
    const titled = darkPixels(image.pixels, 640, box);
    const blank = new Resvg(renderChartSvg(level(), { width: 640, height: 320, lang: 'zh', title: '' }), pngRenderOptions({ width: 640 })).render();
    const untitled = darkPixels(blank.pixels, 640, box);
    assert.ok(titled > untitled + 150, `title ink: ${titled} with the title, ${untitled} without`);
  });

  it('timings (SVG, PNG) stay reasonable', async (t) => {
    const model = level();
    renderChartSvg(model, { width: 640, height: 320, lang: 'zh' }); // warm up
    const n = 5;
    let svgMs = 0;
    let pngMs = 0;
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const svg = renderChartSvg(model, { width: 640, height: 320, lang: 'zh' });
      const t1 = performance.now();
      await renderChartPng(svg, { width: 640 });
      svgMs += t1 - t0;
      pngMs += performance.now() - t1;
    }
    t.diagnostic(`640×320: SVG ${(svgMs / n).toFixed(1)} ms, PNG ${(pngMs / n).toFixed(1)} ms (mean of ${n})`);
    // Generous: a chart per flagged target per digest; seconds each would mean something broke.
    assert.ok(svgMs / n < 2_000 && pngMs / n < 5_000, `SVG ${svgMs / n} ms, PNG ${pngMs / n} ms`);
  });
});
