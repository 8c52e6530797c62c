import type { DocumentFormat } from './documents/read.js';
import type { Candidate } from './extract.js';

/** The candidates found in a document, and the document as read (an upload's text is returned for review). */
export interface ExtractionJson {
  document: { title: string | null; url: string | null; fileName?: string; format?: DocumentFormat; text?: string };
  candidates: Candidate[];
}
