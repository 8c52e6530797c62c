import type { AlertDetailJson, AlertJson, SilenceJson } from '../alerts/alerts.service.js';
import type { DigestPreviewJson, DigestRunJson } from '../notifications/digest.service.js';
import type { NotificationJson } from '../notifications/outbox.service.js';
import type { RecipientJson } from '../notifications/recipients.service.js';
import type { AuditJson } from '../audit/audit.service.js';
import type { ApiTokenJson, CreatedApiTokenJson } from '../auth/api-tokens.service.js';
import type { MeJson } from '../auth/me-json.js';
import type { TokenPair } from '../auth/auth.service.js';
import type { Page } from '../common/paging.js';
import type { DepartmentJson } from '../departments/departments.service.js';
import type { EvidenceJson } from '../evidence/evidence.schema.js';
import type { ExtractionJson } from '../extraction/extraction-json.js';
import type { ExplanationJson } from '../explanations/explanation-rules.js';
import type { FigureJson, RevisionJson, WriteResult } from '../figures/figures.service.js';
import type { ApprovalJson, SubmissionJson } from '../figures/figure-reviews.service.js';
import type { HealthJson } from '../health/health-json.js';
import type { ImportJson, ImportSummaryJson } from '../imports/imports.service.js';
import type { RunAcceptedJson, RunJson } from '../evaluations/evaluation-runs.service.js';
import type { EvaluationJson, StoredEvaluationJson } from '../evaluations/progress.service.js';
import type { TargetJson } from '../targets/target.mapper.js';
import type { UserJson } from '../users/users.service.js';
import type { ReportJson } from '../reports/reports.service.js';

/**
 * Every JSON body the API answers with, by the name its schema has in the OpenAPI document
 * (components.schemas). `npm run contract:schemas` turns this interface into src/contract/response-schemas.ts;
 * `@Returns(name)` on a handler declares the response and makes the compiler check the handler returns it.
 */
export interface ResponseTypes {
  AlertDetail: AlertDetailJson;
  AlertPage: Page<AlertJson>;
  ApiToken: ApiTokenJson;
  CreatedApiToken: CreatedApiTokenJson;
  ApiTokenPage: Page<ApiTokenJson>;
  AuditPage: Page<AuditJson>;
  Department: DepartmentJson;
  DepartmentPage: Page<DepartmentJson>;
  DigestPreview: DigestPreviewJson;
  DigestRun: DigestRunJson;
  Evaluation: EvaluationJson;
  Evidence: EvidenceJson;
  EvidencePage: Page<EvidenceJson>;
  EvaluationPage: Page<StoredEvaluationJson>;
  Explanation: ExplanationJson;
  ExplanationPage: Page<ExplanationJson>;
  Extraction: ExtractionJson;
  Figure: FigureJson;
  FigurePage: Page<FigureJson>;
  FigureRevisionPage: Page<RevisionJson>;
  FigureApproval: ApprovalJson;
  FigureSubmission: SubmissionJson;
  FigureSubmissionPage: Page<SubmissionJson>;
  Health: HealthJson;
  Import: ImportJson;
  ImportPage: Page<ImportSummaryJson>;
  Me: MeJson;
  NotificationPage: Page<NotificationJson>;
  Recipient: RecipientJson;
  RecipientPage: Page<RecipientJson>;
  Report: ReportJson;
  ReportPage: Page<ReportJson>;
  Run: RunJson;
  RunAccepted: RunAcceptedJson;
  RunPage: Page<RunJson>;
  Silence: SilenceJson;
  SilencePage: Page<SilenceJson>;
  Target: TargetJson;
  TargetPage: Page<TargetJson>;
  TokenPair: TokenPair;
  User: UserJson;
  UserPage: Page<UserJson>;
  WriteResult: WriteResult;
}
