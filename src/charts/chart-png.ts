import { existsSync } from 'node:fs';
import { renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';

/** The CJK font the SVG names first (Debian/Ubuntu: apt-get install fonts-wqy-microhei). */
export const CJK_FONT_FAMILY = 'WenQuanYi Micro Hei';
export const CJK_FONT_FILES = [
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', // Debian, Ubuntu
  '/usr/share/fonts/wqy-microhei/wqy-microhei.ttc', // Alpine (font-wqy-microhei), Fedora
];

let fontFiles: string[] | undefined;
/** The CJK font files present on this machine (checked once). Without one, Chinese text renders as nothing. */
export function cjkFontFiles(): string[] {
  fontFiles ??= CJK_FONT_FILES.filter((f) => existsSync(f));
  return fontFiles;
}

export interface PngOptions {
  /** output width in pixels; the height follows the SVG's aspect ratio */
  width: number;
}

/** resvg's options, on white: only the CJK font file when there is one (scanning system fonts is slow). */
export function pngRenderOptions(options: PngOptions): ResvgRenderOptions {
  return {
    fitTo: { mode: 'width', value: options.width },
    background: '#ffffff',
    font: { loadSystemFonts: cjkFontFiles().length === 0, fontFiles: cjkFontFiles(), defaultFontFamily: CJK_FONT_FAMILY, sansSerifFamily: CJK_FONT_FAMILY },
    logLevel: 'off',
  };
}

/** The SVG as a PNG, rasterised off the event loop; email clients show an inline PNG but not SVG. */
export async function renderChartPng(svg: string, options: PngOptions): Promise<Buffer> {
  if (!Number.isInteger(options.width) || options.width < 16 || options.width > 4800) {
    throw new RangeError(`PNG width must be an integer from 16 to 4800, got ${options.width}`);
  }
  const image = await renderAsync(svg, pngRenderOptions(options));
  return image.asPng();
}
