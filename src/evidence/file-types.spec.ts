import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanFileName, sniffEvidence } from './file-types.js';

const zip = (entry: string) => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(26), Buffer.from(entry, 'latin1')]);
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
const type = (name: string, content: Buffer) => {
  const r = sniffEvidence(name, content);
  return 'contentType' in r ? r.contentType : 'refused';
};

describe('evidence file types', () => {
  it('by extension and magic bytes together', () => {
    assert.equal(type('a.PDF', Buffer.from('%PDF-1.7\n')), 'application/pdf');
    assert.equal(type('a.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'image/jpeg');
    assert.equal(type('a.webp', Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1')), 'image/webp');
    assert.equal(type('报告.docx', zip('word/document.xml')), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    assert.equal(type('表.xls', OLE), 'application/vnd.ms-excel');
    assert.equal(type('文.ofd', zip('OFD.xml')), 'application/ofd');
  });

  it('refuses a mismatch, an unknown extension, a zip that is not the package it claims', () => {
    assert.equal(type('a.pdf', Buffer.from([0xff, 0xd8, 0xff])), 'refused');
    assert.equal(type('a.docx', zip('xl/workbook.xml')), 'refused');
    assert.equal(type('a.html', Buffer.from('<html>')), 'refused');
    assert.equal(type('noext', Buffer.from('%PDF-1.4')), 'refused');
  });

  it('cleans names: no folders or control characters, at most 255 characters with the extension kept', () => {
    assert.equal(cleanFileName('C:\\Users\\x\\佐证\u0007.pdf'), '佐证.pdf');
    assert.equal(cleanFileName('../../etc/passwd'), 'passwd');
    const long = cleanFileName(`${'长'.repeat(300)}.pdf`);
    assert.equal([...long].length, 255);
    assert.ok(long.endsWith('.pdf'));
  });
});
