import { inflateSync } from 'node:zlib';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface DecodedPng {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  /** the filtered scanlines, inflated: height × (1 + width × bytes per pixel) bytes */
  scanlines: Buffer;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Reads a PNG far enough to know it is one: signature, chunk CRCs, IHDR, and the IDAT stream inflating
 * to exactly the size its dimensions call for. Throws on anything else.
 */
export function decodePng(png: Buffer): DecodedPng {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG: bad signature');
  let offset = 8;
  let header: Omit<DecodedPng, 'scanlines'> | undefined;
  const data: Buffer[] = [];
  let ended = false;
  while (offset < png.length && !ended) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    const crc = png.readUInt32BE(offset + 8 + length);
    if (crc32(png.subarray(offset + 4, offset + 8 + length)) !== crc) throw new Error(`bad CRC in chunk ${type}`);
    if (type === 'IHDR') {
      header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), bitDepth: body[8], colourType: body[9] };
    } else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') ended = true;
    offset += 12 + length;
  }
  if (!header || !ended || !data.length) throw new Error('not a PNG: missing IHDR, IDAT or IEND');
  const scanlines = inflateSync(Buffer.concat(data));
  const bytesPerPixel = ((CHANNELS[header.colourType] ?? 0) * header.bitDepth) / 8;
  const expected = header.height * (1 + Math.ceil(header.width * bytesPerPixel));
  if (scanlines.length !== expected) throw new Error(`IDAT holds ${scanlines.length} bytes, ${header.width}×${header.height} needs ${expected}`);
  return { ...header, scanlines };
}

let table: Uint32Array | undefined;
function crc32(buf: Buffer): number {
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = 0xffffffff;
  for (const b of buf) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
