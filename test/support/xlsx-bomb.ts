import { constants, crc32, deflateRawSync } from 'node:zlib';

/**
 * Hand-built .xlsx files for the import limits (issue 15): a sheet whose XML is a head, a chunk repeated many
 * times and a tail, deflated without ever holding the whole text (each piece compressed on its own and the
 * deflate streams joined at sync-flush boundaries), in a zip whose central directory may understate the sizes.
 */

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const PARTS: Record<string, string> = {
  '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    + '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    + '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
  '_rels/.rels': '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    + '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
  'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><workbook ${NS}><sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>`,
  'xl/_rels/workbook.xml.rels': '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    + '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
};

interface ZipPart { name: string; data: Buffer; method: 0 | 8; crc: number; size: number }

function zipOf(parts: ZipPart[], declared: (part: ZipPart) => number): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(part.method, 8);
    local.writeUInt32LE(part.crc, 14);
    local.writeUInt32LE(part.data.length, 18);
    local.writeUInt32LE(declared(part), 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    local.copy(central, 6, 4, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, part.data);
    centrals.push(central, name);
    offset += 30 + name.length + part.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** head + chunk × times + tail, deflated piece by piece (no piece refers back to another: they join). */
function deflatedRepeat(head: string, chunk: string, times: number, tail: string): ZipPart & { name: '' } {
  const sync = { finishFlush: constants.Z_SYNC_FLUSH, level: 9 };
  const [h, c, t] = [Buffer.from(head), Buffer.from(chunk), Buffer.from(tail)];
  const body = deflateRawSync(c, sync);
  let crc = crc32(h);
  for (let i = 0; i < times; i += 1) crc = crc32(c, crc);
  crc = crc32(t, crc);
  return {
    name: '', method: 8, crc, size: h.length + c.length * times + t.length,
    data: Buffer.concat([deflateRawSync(h, sync), ...Array<Buffer>(times).fill(body), deflateRawSync(t)]),
  };
}

const inline = (text: string, ref?: string) => `<c${ref ? ` r="${ref}"` : ''} t="inlineStr"><is><t>${text}</t></is></c>`;
/** A row of inline strings and numbers, without row and cell references (they are optional: rows and cells follow on). */
export const rowXml = (...cells: (string | number)[]) =>
  `<row>${cells.map((c) => (typeof c === 'number' ? `<c><v>${c}</v></c>` : inline(c))).join('')}</row>`;
/** 指标代码, 期间, 数值 and one data row whose value is a formula with its cached result (as Excel saves it). */
export const HEAD_ROWS = `<row r="1">${inline('指标代码', 'A1')}${inline('期间', 'B1')}${inline('数值', 'C1')}</row>`
  + `<row r="2">${inline('NEV-OUTPUT', 'A2')}${inline('2025Q1', 'B2')}<c r="C2"><f>300+80</f><v>380</v></c></row>`;

/**
 * An .xlsx whose one sheet holds `head` rows, then `chunk` × `times`, then `tail` (raw XML, before
 * `</sheetData>` unless `broken`). `understate`: the directory says the sheet unpacks to its compressed size.
 */
export function sheetXlsx(options: { head?: string; chunk: string; times: number; tail?: string; understate?: boolean }): Buffer {
  const sheet = deflatedRepeat(
    `<?xml version="1.0" encoding="UTF-8"?><worksheet ${NS}><sheetData>${options.head ?? HEAD_ROWS}`,
    options.chunk, options.times, `${options.tail ?? ''}</sheetData></worksheet>`,
  );
  const parts: ZipPart[] = Object.entries(PARTS).map(([name, text]) => {
    const data = Buffer.from(text);
    return { name, data, method: 0, crc: crc32(data), size: data.length };
  });
  parts.push({ ...sheet, name: 'xl/worksheets/sheet1.xml' });
  return zipOf(parts, (p) => (options.understate && p.method === 8 ? p.data.length : p.size));
}

/**
 * A zip bomb of `mb` MB: the sheet's two rows (one value a formula), then blank space in 1 MB chunks (ignored by
 * every reader, but unpacked and parsed all the same), about 1 KB on disk per MB.
 */
export function bombXlsx(mb: number, understate = false): Buffer {
  return sheetXlsx({ chunk: ' '.repeat(1024 * 1024), times: mb, understate });
}
