import type { SeedDepartment } from './seed.types.js';

/**
 * Departments of the Yubei district government that lead or support the article's targets.
 * Emails are placeholders on the reserved example.org domain (caught by mailpit in dev).
 */
export const DEPARTMENTS: SeedDepartment[] = [
  { code: 'ECON-INFO', name: '区经济信息委', emails: ['econ-info@example.org'] },
  { code: 'SCI-TECH', name: '区科技局', emails: ['sci-tech@example.org'] },
  { code: 'FINANCE', name: '区财政局', emails: ['finance@example.org'] },
  { code: 'DRC', name: '区发展改革委', emails: ['drc@example.org'] },
  { code: 'STATS', name: '区统计局', emails: ['stats@example.org'] },
  { code: 'COMMERCE', name: '区商务委', emails: ['commerce@example.org'] },
];
