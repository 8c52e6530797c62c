import { InitialSchema1764400000000 } from './1764400000000-InitialSchema.js';
import { AccountsAndAudit1764500000000 } from './1764500000000-AccountsAndAudit.js';
import { AlertsAndOutbox1764600000000 } from './1764600000000-AlertsAndOutbox.js';
import { Imports1764700000000 } from './1764700000000-Imports.js';
import { OutboxAttachments1764800000000 } from './1764800000000-OutboxAttachments.js';
import { EvaluationAtScale1764900000000 } from './1764900000000-EvaluationAtScale.js';
import { ReevaluationRequests1765000000000 } from './1765000000000-ReevaluationRequests.js';
import { FastIngest1765100000000 } from './1765100000000-FastIngest.js';
import { EvaluationWriteChecks1765200000000 } from './1765200000000-EvaluationWriteChecks.js';
import { AuthChangeNotify1765300000000 } from './1765300000000-AuthChangeNotify.js';
import { EvaluationRefsCheck1765400000000 } from './1765400000000-EvaluationRefsCheck.js';
import { TargetAliases1765520000000 } from './1765520000000-TargetAliases.js';
import { LoginThrottle1765530000000 } from './1765530000000-LoginThrottle.js';
import { FigureConfirmedWarning1765510000000 } from './1765510000000-FigureConfirmedWarning.js';
import { SessionFamilies1765540000000 } from './1765540000000-SessionFamilies.js';
import { AuditChain1765550000000 } from './1765550000000-AuditChain.js';
import { QuarterClosing1765600000000 } from './1765600000000-QuarterClosing.js';
import { ReportEmails1765640000000 } from './1765640000000-ReportEmails.js';

/** Every migration, in order. Listed explicitly so the app, the CLI and the tests run the same set. */
export const MIGRATIONS = [
  InitialSchema1764400000000,
  AccountsAndAudit1764500000000,
  AlertsAndOutbox1764600000000,
  Imports1764700000000,
  OutboxAttachments1764800000000,
  EvaluationAtScale1764900000000,
  ReevaluationRequests1765000000000,
  FastIngest1765100000000,
  EvaluationWriteChecks1765200000000,
  AuthChangeNotify1765300000000,
  EvaluationRefsCheck1765400000000,
  FigureConfirmedWarning1765510000000,
  TargetAliases1765520000000,
  LoginThrottle1765530000000,
  SessionFamilies1765540000000,
  AuditChain1765550000000,
  QuarterClosing1765600000000,
  ReportEmails1765640000000,
];
