import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { canonicalTables, canonicalText } from './canonical.js';
import { UnreadableDocument } from './errors.js';
import { readDocument } from './read.js';

const file = (name: string) => readFileSync(new URL(`../../../test/fixtures/extraction/files/${name}`, import.meta.url));

/** policy.html as every converter must give it back (policy.docx and policy.pdf are LibreOffice's exports of it) */
const CANONICAL = [
  '云溪区制造业高质量发展行动方案（2023—2025年）',
  '一、总体目标',
  '到2025年，全区规模以上工业总产值达到1200亿元以上，高新技术企业数量达到350家。',
  // three lines in the PDF: joined again, no break inside 10%、12件 or “小巨人”
  '到2025年，全区数字经济核心产业增加值占地区生产总值比重达到10%以上，规模以上工业企业研发机构覆盖率达到50%，'
    + '每万人口高价值发明专利拥有量达到12件，新增国家级专精特新“小巨人”企业15家以上，培育营业收入超过100亿元的龙头企业3家。',
  '二、主要指标',
  '',
  '指标\t单位\t2022年\t2025年\t属性',
  '研发经费投入强度\t%\t2.1\t3.0\t预期性',
  '单位工业增加值能耗下降\t%\t/\t13.5\t约束性',
  '新增规模以上工业企业\t家\t\t120\t预期性', // a blank base value: an empty cell in its column
  '',
  '三、保障措施',
  '各街道、各部门要加强组织领导，确保各项任务落到实处。',
].join('\n');

const refused = async (name: string, bytes: Buffer, reason: UnreadableDocument['reason'], message: RegExp) => {
  await assert.rejects(readDocument(name, bytes), (e: unknown) => {
    assert.ok(e instanceof UnreadableDocument, String(e));
    assert.equal(e.reason, reason);
    assert.match(e.message, message);
    return true;
  });
};

describe('readDocument: each format gives the same canonical text', () => {
  for (const name of ['policy.html', 'policy.docx', 'policy.pdf']) {
    it(`${name}: the paragraphs a line each, the indicator table as tab-separated rows between blank lines`, async () => {
      const { text, format } = await readDocument(name, file(name));
      assert.equal(format, name.split('.')[1]);
      assert.equal(text, CANONICAL);
    });
  }

  it('a PDF is read only as far as maxChars: the pages after it are left', async () => {
    const pages = ['第一页：到2025年，高新技术企业数量达到350家。', '第二页：到2027年，高新技术企业数量达到500家。'];
    assert.equal((await readDocument('two-pages.pdf', file('two-pages.pdf'), { maxChars: 10 })).text, pages[0]);
    assert.equal((await readDocument('two-pages.pdf', file('two-pages.pdf'))).text, pages.join('\n'));
  });

  it('.txt in UTF-8 (with a byte-order mark) and in GB18030, CRLF line ends', async () => {
    const crlf = CANONICAL.replace(/\n/g, '\r\n');
    assert.equal((await readDocument('政策.txt', Buffer.from(`\uFEFF${crlf}`, 'utf8'))).text, CANONICAL);
    const gb18030 = Buffer.from([0xb5, 0xbd, 0x32, 0x30, 0x32, 0x35, 0xc4, 0xea]); // 到2025年 in GB18030
    assert.equal((await readDocument('a.TXT', gb18030)).text, '到2025年');
  });

  it('.htm: colspan keeps the columns, scripts and styles are left out, a nested list is a paragraph each', async () => {
    const html = '<html><head><style>p{}</style><script>var a=1</script></head><body><ul><li>甲</li><li>乙<br>丙</li></ul>'
      + '<table><thead><tr><th colspan="2">指标</th><th>2025年</th></tr></thead><tbody><tr><td>一类</td><td>产值</td><td>1 200</td></tr></tbody></table></body></html>';
    assert.equal((await readDocument('page.htm', Buffer.from(html))).text, '甲\n乙\n丙\n\n指标\t\t2025年\n一类\t产值\t1 200');
  });
});

describe('readDocument: refused files say why', () => {
  it('a program (.exe) or a file without an extension: the types taken', async () => {
    await refused('setup.exe', Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), 'type', /不支持的文件类型 \.exe：请上传 \.docx、\.pdf、\.html 或 \.txt/);
    await refused('README', Buffer.from('text'), 'type', /不支持的文件类型：/);
  });
  it('old Word (.doc): save as .docx', async () => refused('旧.doc', Buffer.from([0xd0, 0xcf, 0x11, 0xe0]), 'type', /另存为 \.docx/));
  it('an empty file', async () => refused('empty.pdf', Buffer.alloc(0), 'empty', /空的/));
  it('a .docx cut off half-way', async () => refused('broken.docx', file('broken.docx'), 'damaged', /Word 文档已损坏或不完整/));
  it('a workbook named .docx: it is Excel, not Word', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('数据').addRow(['指标', 2025]);
    await refused('表.docx', Buffer.from(await workbook.xlsx.writeBuffer()), 'type', /这是 Excel 工作簿/);
  });
  it('a .docx declaring a part that unpacks to GBs (a zip bomb) is refused before it is unpacked', async () => {
    const bomb = Buffer.from(file('policy.docx'));
    const record = Buffer.from([0x50, 0x4b, 0x01, 0x02]); // each central directory record: its size field says 3.75 GB
    for (let p = bomb.indexOf(record); p >= 0; p = bomb.indexOf(record, p + 4)) bomb.writeUInt32LE(0xf0000000, p + 24);
    await refused('bomb.docx', bomb, 'damaged', /解压后超过 200 MB/);
  });
  it('a .docx that is no zip at all', async () => refused('fake.docx', Buffer.from('hello'), 'damaged', /不是有效的 Word/));
  it('a scanned PDF (no text layer)', async () => refused('scan.pdf', file('scan.pdf'), 'no-text', /PDF 没有文字层/));
  it('a .pdf that is not a PDF', async () => refused('x.pdf', Buffer.from('<html>'), 'damaged', /不是 PDF/));
  it('a PDF cut off half-way', async () => {
    const pdf = file('policy.pdf');
    await refused('cut.pdf', pdf.subarray(0, pdf.length / 2), 'damaged', /PDF 文件已损坏/);
  });
  it('a binary file named .txt', async () => refused('a.txt', Buffer.from([0x4d, 0x5a, 0, 0, 1]), 'type', /不是文本格式/));
  it('a page with no text', async () => refused('a.html', Buffer.from('<html><body><img src=x></body></html>'), 'empty', /没有文字/));
});

describe('canonical form', () => {
  it('canonicalTables reads back the rows canonicalText wrote, with their offsets', () => {
    const text = canonicalText([
      { kind: 'paragraph', text: ' 主要\n指标 ' },
      { kind: 'table', rows: [['指标', '2025年'], ['产值\t总量', ''], ['', '']] },
      { kind: 'paragraph', text: '完' },
    ]);
    assert.equal(text, '主要 指标\n\n指标\t2025年\n产值 总量\t\n\n完');
    const [table, ...more] = canonicalTables(text);
    assert.equal(more.length, 0);
    assert.deepEqual(table.rows.map((r) => r.cells), [['指标', '2025年'], ['产值 总量', '']]);
    assert.equal(text.slice(table.rows[1].start, table.rows[1].end), '产值 总量\t');
  });
});
