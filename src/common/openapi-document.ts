import type { OpenAPIObject } from '@nestjs/swagger';
import { API_PREFIX } from '../api-prefix.js';
import { RESPONSE_SCHEMAS } from '../contract/response-schemas.js';
import { TAGGED_CREATIONS, VERSIONED_ROUTES } from './etag.js';

/** The published OpenAPI 3.1 contract, finished after Nest has collected the routes. */

/** Operations that need no credentials. */
export const OPEN_OPERATIONS = new Set(['AuthController_login', 'AuthController_refresh', 'HealthController_health']);

const SUMMARIES: Record<string, string> = {
  AuditController_list: '查询审计记录',
  AuthController_login: '登录，取得访问令牌和刷新令牌',
  AuthController_refresh: '用刷新令牌换取新的令牌',
  AuthController_logout: '退出登录（吊销本次会话的刷新令牌）',
  AuthController_logoutEverywhere: '在所有地方退出登录（结束全部会话并吊销全部 API 令牌）',
  AuthController_changePassword: '修改自己的密码',
  AuthController_me: '当前用户',
  AuthController_listTokens: '列出我的 API 令牌',
  AuthController_createToken: '创建 API 令牌',
  AuthController_renewToken: '续期 API 令牌',
  AuthController_revokeToken: '吊销 API 令牌',
  UsersController_list: '列出用户',
  UsersController_create: '创建用户',
  UsersController_get: '查看用户',
  UsersController_update: '修改用户（角色、部门、停用、重置密码）',
  EvaluationsController_evaluation: '指标的评估（序时进度、差距、状态）',
  EvaluationsController_latest: '各指标的最新评估',
  EvaluationsController_startRun: '发起一次评估运行',
  EvaluationsController_listRuns: '列出评估运行',
  EvaluationsController_getRun: '查看评估运行',
  EvaluationsController_runResults: '评估运行的逐项结果',
  AlertsController_list: '列出预警',
  AlertsController_get: '查看预警',
  AlertsController_silences: '列出静默规则',
  AlertsController_silence: '创建静默规则',
  AlertsController_unsilence: '删除静默规则',
  AlertsController_notifications: '列出通知邮件',
  AlertsController_preview: '预览摘要邮件',
  AlertsController_runDigest: '立即发送摘要邮件',
  AlertsController_listRecipients: '列出收件人',
  AlertsController_createRecipient: '添加收件人',
  AlertsController_updateRecipient: '修改收件人',
  DepartmentsController_list: '列出部门',
  DepartmentsController_create: '创建部门',
  DepartmentsController_get: '查看部门',
  DepartmentsController_update: '修改部门',
  TargetsController_list: '查询指标',
  TargetsController_create: '创建指标',
  TargetsController_get: '查看指标',
  TargetsController_update: '修改指标',
  TargetsController_archive: '归档指标',
  FiguresController_list: '指标的各期实际值',
  FiguresController_put: '填报或更正一期实际值',
  FiguresController_get: '查看一期实际值',
  FiguresController_revisions: '一期实际值的修订记录',
  FiguresController_batch: '批量填报实际值（全部成功或全部不写入）',
  HealthController_health: '健康检查（数据库、Redis）',
  DocumentsController_extract: '从政策文件识别候选指标（文本或上传文件）',
  ImportsController_templateXlsx: '下载导入模板（.xlsx）',
  ImportsController_templateCsv: '下载导入模板（.csv）',
  ImportsController_list: '列出导入记录',
  ImportsController_upload: '上传表格并预览导入',
  ImportsController_get: '查看导入记录',
  ImportsController_apply: '确认导入',
  ExportsController_status: '导出进度表（.xlsx）',
  ExportsController_figuresXlsx: '导出实际值（.xlsx）',
  ExportsController_figuresCsv: '导出实际值（.csv）',
  EvidenceController_uploadFigure: '为一期实际值上传佐证材料',
  EvidenceController_listFigure: '一期实际值的佐证材料',
  EvidenceController_uploadExplanation: '为一季度的情况说明上传佐证材料',
  EvidenceController_listExplanation: '一季度情况说明的佐证材料',
  EvidenceController_download: '下载佐证材料',
  EvidenceController_remove: '删除佐证材料',
};

const DESCRIPTIONS: Record<string, string> = {
  AuditController_list: '按对象、操作者、操作和时间筛选审计记录，分页返回，最新的在前。',
  AuthController_login: '以邮箱和密码登录。连续输错会被暂时锁定（429）。返回短期访问令牌和可轮换的刷新令牌。',
  AuthController_refresh: '刷新令牌只能用一次：每次换取都会得到新的刷新令牌，旧的随即失效。' +
    '已换过的刷新令牌再次出现即视为被盗用：这次登录的整个会话（其全部刷新令牌和访问令牌）随即结束，并记入审计。网页的会话 Cookie 不能在此使用。',
  AuthController_logout: '结束本次登录会话（其刷新令牌失效）；API 令牌不能登出，须吊销。',
  AuthController_logoutEverywhere: '结束当前用户的全部登录会话（网页和 API）并吊销其全部 API 令牌，记入审计。',
  AuthController_changePassword: '须在登录会话中、重新输入当前密码（错误时 403，同一会话连续输错 5 次即结束该会话）。修改后该用户的全部会话（包括本次）结束、全部 API 令牌吊销，须重新登录。',
  AuthController_me: '当前令牌对应的用户、角色和所属部门。',
  AuthController_listTokens: '当前用户创建的 API 令牌（不含令牌本身，只有名称、创建和到期时间）。',
  AuthController_createToken: '为脚本和外部系统创建 API 令牌；令牌只在这次响应中出现一次。须在登录会话中、重新输入当前密码（错误时 403，' +
    '同一会话连续输错 5 次即结束该会话）。有效期 expiresInDays 缺省并最长为 API_TOKEN_DAYS 天；修改密码或在所有地方退出登录会吊销全部令牌。',
  AuthController_renewToken: '把自己的一个未吊销的 API 令牌（含已过期的）有效期延长到从现在起 expiresInDays 天；同样须重新输入当前密码。',
  AuthController_revokeToken: '吊销一个 API 令牌，之后使用它的请求得到 401。',
  UsersController_list: '所有用户及其角色、部门和状态（管理员）。',
  UsersController_create: '创建用户并设定角色；部门用户须指定所属部门（管理员）。',
  UsersController_get: '按编号查看用户（管理员）。',
  UsersController_update: '修改角色、部门、停用状态或重置密码（管理员），每次修改记入审计。停用或重置密码会结束该用户的全部会话并吊销其全部 API 令牌。',
  EvaluationsController_evaluation: '按评估规则计算指标在某日的序时进度、差距和状态（asOf 缺省为今天），不写入任何数据。',
  EvaluationsController_latest: '最近一次评估的结果，可按状态、部门和数据逾期筛选，分页返回。',
  EvaluationsController_startRun: '把一次全量评估放入队列，立即返回 202；用运行编号查询进度。',
  EvaluationsController_listRuns: '最近的评估运行及其状态和计数。',
  EvaluationsController_getRun: '一次评估运行的状态、开始和结束时间、各状态计数。',
  EvaluationsController_runResults: '一次评估运行中每个指标的结果，分页返回。',
  AlertsController_list: '预警（滞后、倒退、数据逾期等），可按状态、类型和部门筛选。',
  AlertsController_get: '一条预警及其经过。',
  AlertsController_silences: '生效中的静默规则。',
  AlertsController_silence: '在一段时间内不为某指标或某部门发送预警邮件；须写明原因。',
  AlertsController_unsilence: '提前结束一条静默规则。',
  AlertsController_notifications: '已排队和已发送的通知邮件，可按状态、收件人和原因筛选。',
  AlertsController_preview: '按当前数据生成某收件人的摘要邮件，不发送。',
  AlertsController_runDigest: '立即生成并发送摘要邮件（平时按计划发送）。',
  AlertsController_listRecipients: '收件人（部门联系人和领导）及其订阅。',
  AlertsController_createRecipient: '添加收件人。',
  AlertsController_updateRecipient: '修改收件人的邮箱、范围或停用。',
  DepartmentsController_list: '所有部门及其联系人邮箱。',
  DepartmentsController_create: '创建部门；代码创建后不可改。',
  DepartmentsController_get: '按代码查看部门。',
  DepartmentsController_update: '修改部门名称或联系人。',
  TargetsController_list: '按部门、类别、类型、约束性和关键字查询指标，分页返回。',
  TargetsController_create: '创建指标：基期、目标值与期限、比较符、牵头和配合部门、来源文件和条款。',
  TargetsController_get: '按代码查看指标。',
  TargetsController_update: '修改指标的部分字段，修改前后记入审计。',
  TargetsController_archive: '归档指标：不再评估和预警，历史数据保留。',
  FiguresController_list: '指标各期的当前实际值。',
  FiguresController_put: '写入一期实际值。更正已有值须写明原因；明显异常的值须 confirm: true 才会保存。每次变更都留下修订记录。',
  FiguresController_get: '一期的当前实际值。',
  FiguresController_revisions: '一期实际值的全部修订：值、填报人、时间和原因。',
  FiguresController_batch: '一次写入多期多项实际值；任何一行有误则一行也不写入，错误逐行指出字段。',
  HealthController_health: '数据库和 Redis 都可用时 200，否则 503 并指出哪一项不可用。',
  DocumentsController_extract: '以 JSON 文本或 multipart 上传的 .docx、.pdf、.html、.txt 文件识别候选指标（含主要指标表和计划执行情况），不创建任何数据。',
  ImportsController_templateXlsx: '带当前指标清单的 Excel 导入模板。',
  ImportsController_templateCsv: '带当前指标清单的 CSV 导入模板（UTF-8 带 BOM）。',
  ImportsController_list: '最近的导入记录。',
  ImportsController_upload: '上传 .xlsx 或 .csv，逐行校验并返回预览（新旧值、警告、错误）；apply=true 时校验通过即写入。',
  ImportsController_get: '一次导入的预览、结果和跳过的行。',
  ImportsController_apply: '写入已预览的导入；skipInvalid 时跳过有误的行并列出。',
  ExportsController_status: '各指标最新评估的进度表（Excel）。',
  ExportsController_figuresXlsx: '指定期间的实际值（Excel）。',
  ExportsController_figuresCsv: '指定期间的实际值（CSV）。',
  EvidenceController_uploadFigure: 'multipart 上传一个文件（字段 file）：PDF、图片、Office（含 WPS）或 OFD，按扩展名和文件头识别类型，' +
    '不超过 EVIDENCE_MAX_MB（超过即 413，不写入）。牵头、配合单位和规划处可以上传；关联当时的实际值修订和待审核记录，记入审计。',
  EvidenceController_listFigure: '一期实际值的全部佐证材料（不含文件内容）。',
  EvidenceController_uploadExplanation: 'multipart 上传一个文件（字段 file），类型和大小限制同实际值的佐证材料；牵头单位和规划处可以上传，期间为季度（YYYYQn）。',
  EvidenceController_listExplanation: '一季度情况说明的全部佐证材料（不含文件内容）。',
  EvidenceController_download: '文件原样返回：Content-Type 为上传时识别的类型，ETag 和 X-Checksum-SHA256 为内容的 SHA-256。',
  EvidenceController_remove: '上传者或规划处删除一份佐证材料，记入审计。',
};

const TAG_DESCRIPTIONS: Record<string, string> = {
  'audit 审计': '谁在何时改了什么',
  'auth 登录与令牌': '登录、刷新令牌和 API 令牌',
  'users 用户': '账号、角色与所属部门',
  'evaluations 评估': '序时进度、差距与状态，评估运行',
  'alerts 预警与通知': '预警、静默、收件人与通知邮件',
  'departments 部门': '牵头和配合单位',
  'targets 指标': '目标、基期、期限与来源条款',
  'figures 实际值': '各期实际值及其修订',
  'health 健康检查': '数据库与 Redis 是否可用',
  'documents 政策文件': '从政策文件识别候选指标',
  'imports 导入': '表格导入、模板与导出',
  'evidence 佐证材料': '实际值和情况说明的佐证材料（文件）',
};

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details; `errors` names each field at fault by its path',
  required: ['type', 'title', 'status', 'detail', 'errors'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string', examples: ['输入有误 Unprocessable Content'] },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string', examples: ['figures[0].value'] }, message: { type: 'string' }, code: { type: 'string' } },
      },
    },
  },
};

/** Operations that answer 404 without a path parameter (an unknown department or recipient in the query), 409, 429. */
const NOT_FOUND = new Set(['ExportsController_status', 'ExportsController_figuresCsv', 'ExportsController_figuresXlsx', 'AlertsController_preview']);
NOT_FOUND.add('ExplanationsController_list'); // an unknown department in the query
const CONFLICT = new Set([
  'TargetsController_create', 'DepartmentsController_create', 'UsersController_create', 'UsersController_update',
  'AuthController_renewToken',
  'ImportsController_apply', 'AlertsController_createRecipient', 'ReportsController_issue',
  'FigureReviewsController_approve', 'FigureReviewsController_return',
  'ExplanationsController_put', 'ExplanationsController_returnIt', 'ExplanationsController_accept',
]);
const TOO_MANY = new Set(['AuthController_login']);

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, { description: string; content?: unknown; headers?: Record<string, unknown> }>;
};

/** The versioned resources (src/common/etag.ts) as the document's paths: /api/v1/targets/{code}. */
const documented = (route: string) => `/${API_PREFIX}${route.replace(/:(\w+)/g, '{$1}')}`;
const VERSIONED_PATHS = new Set<string>(VERSIONED_ROUTES.map(documented));
const CREATING_PATHS = new Set<string>(TAGGED_CREATIONS.map(documented));

const CONDITIONAL = {
  headers: {
    ETag: {
      description: '资源当前版本的强实体标签，修改时在 If-Match 中原样带回 (a strong entity tag of the current representation)',
      schema: { type: 'string', examples: ['"3q2-7bHk0sUuA9m0sQ1wT2Yx4Zc"'] },
    },
  },
  parameters: {
    IfMatch: {
      name: 'If-Match', in: 'header', required: false, schema: { type: 'string' },
      description: '只在资源仍是这个版本（读取时的 ETag，或 *）时写入，否则 412 且不写入任何数据；不带则无条件写入 ' +
        '(write only if the resource still has this ETag; otherwise 412 and nothing is written)',
    },
    IfNoneMatch: {
      name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' },
      description: '资源仍是这个版本时返回 304，不带响应体 (304 without a body while the resource still has this ETag)',
    },
  },
};
const ETAG_HEADER = { ETag: { $ref: '#/components/headers/ETag' } };

/** ETag, 304 and 412 where the API has them (etag.interceptor.ts); a PUT's 200 carries no ETag. */
function declareConditional(path: string, method: (typeof METHODS)[number], op: Operation): void {
  const versioned = VERSIONED_PATHS.has(path);
  const withTag = (status: string) => {
    const response = (op.responses[status] ??= { description: '成功 (success)' });
    response.headers = { ...response.headers, ...ETAG_HEADER };
  };
  if (versioned && method === 'get') {
    withTag('200');
    op.parameters = [...(op.parameters ?? []), { $ref: '#/components/parameters/IfNoneMatch' }];
    op.responses['304'] = { description: '未修改：If-None-Match 与当前 ETag 相同 (not modified)', headers: ETAG_HEADER };
  } else if (versioned && (method === 'patch' || method === 'put' || method === 'delete')) {
    if (method === 'patch') withTag('200');
    op.parameters = [...(op.parameters ?? []), { $ref: '#/components/parameters/IfMatch' }];
    op.responses['412'] = problemResponse('资源已被修改，与 If-Match 不符，未写入任何数据 (precondition failed: nothing was written)');
  } else if (method === 'post' && CREATING_PATHS.has(path)) {
    withTag('201');
  }
}

/** JSON Schema keywords OpenAPI 3.1 reads as the document's own dialect: a per-schema `$schema` is noise. */
function dropSchemaKeyword(node: unknown): void {
  if (Array.isArray(node)) node.forEach(dropSchemaKeyword);
  else if (node && typeof node === 'object') {
    delete (node as Record<string, unknown>).$schema;
    Object.values(node).forEach(dropSchemaKeyword);
  }
}

export function finishDocument(generated: OpenAPIObject): OpenAPIObject {
  const doc = structuredClone(generated) as OpenAPIObject & { openapi: string };
  doc.openapi = '3.1.0';
  doc.servers = [{ url: '/', description: '本服务 (this server)' }];
  doc.components = {
    ...doc.components, schemas: { ...doc.components?.schemas, ...RESPONSE_SCHEMAS, Problem: PROBLEM_SCHEMA } as never,
    headers: { ...doc.components?.headers, ...CONDITIONAL.headers } as never,
    parameters: { ...doc.components?.parameters, ...CONDITIONAL.parameters } as never,
  };
  const used = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      dropSchemaKeyword(op);
      const id = op.operationId ?? `${method} ${path}`;
      op.summary ??= SUMMARIES[id] ?? `${method.toUpperCase()} ${path}`;
      op.description ??= DESCRIPTIONS[id] ?? op.summary;
      for (const tag of op.tags ?? []) used.add(tag);
      const open = OPEN_OPERATIONS.has(id);
      op.security = open ? [] : [{ bearer: [] }];
      for (const r of Object.values(op.responses)) if (!r.description) r.description = '成功 (success)';
      const takesInput = Boolean(op.requestBody) || Boolean(op.parameters?.length);
      const hasBody = op.requestBody !== undefined;
      const declared: Record<number, string | false> = {
        400: hasBody && '请求体不是合法的 JSON (malformed body)',
        401: id !== 'HealthController_health' && '未认证：缺少或无效的凭据 (missing or invalid credentials)',
        403: !open && '无权限 (forbidden)',
        404: (path.includes('{') || NOT_FOUND.has(id)) && '未找到 (not found)',
        409: CONFLICT.has(id) && '与现有数据冲突 (conflict with the stored state)',
        413: hasBody && '请求体或上传文件过大 (payload too large)',
        415: hasBody && '不支持的媒体类型 (unsupported media type)',
        422: takesInput && '输入有误，errors 指出字段 (invalid input; errors name the fields)',
        429: TOO_MANY.has(id) && '尝试过多，请稍后再试 (too many attempts)',
        503: '数据库或 Redis 暂不可用 (a dependency is down)',
      };
      for (const [status, description] of Object.entries(declared)) {
        if (description) op.responses[status] ??= problemResponse(description);
      }
      declareConditional(path, method, op);
    }
  }
  doc.tags = [...used].sort().map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? name }));
  return doc;
}
