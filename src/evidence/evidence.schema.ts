/** 佐证材料: a file attached to a target's figure for a period, or to its 情况说明 for a quarter. */
export const EVIDENCE_SUBJECTS = ['figure', 'explanation'] as const;
export type EvidenceSubject = (typeof EVIDENCE_SUBJECTS)[number];

export const isEvidenceSubject = (s: unknown): s is EvidenceSubject => (EVIDENCE_SUBJECTS as readonly unknown[]).includes(s);

/** An evidence file as the API describes it (its bytes are at GET /api/v1/evidence/{id}). */
export interface EvidenceJson {
  id: number;
  /** the target's code */
  target: string;
  period: string;
  subject: EvidenceSubject;
  /** as uploaded, without folders; at most 255 characters */
  filename: string;
  /** decided from the extension and the content's magic bytes, not the client's claim */
  contentType: string;
  /** bytes */
  size: number;
  /** SHA-256 of the content, lowercase hex */
  sha256: string;
  /** for a figure's evidence: the figure revision current when it was uploaded, if any */
  revisionId: number | null;
  /** for a figure's evidence: the open review submission (pending or returned) when it was uploaded, if any */
  submissionId: number | null;
  /** who uploaded it (e-mail) */
  uploadedBy: string;
  uploadedAt: string;
}
