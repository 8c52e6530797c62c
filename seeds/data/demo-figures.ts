/**
 * Demonstration figures, loaded only by `npm run seed -- --demo` and labelled 示例数据 in their note.
 * Invented for showing the dashboard; never real statistics.
 */
export const DEMO_NOTE = '示例数据（演示用，非真实统计）';

export const DEMO_FIGURES: Record<string, [period: string, value: string][]> = {
  'DT-ENTERPRISES': [['2024Q1', '120'], ['2024Q2', '150'], ['2024Q3', '178'], ['2024Q4', '205'], ['2025Q1', '226'], ['2025Q2', '248']],
  'DT-COVERAGE': [['2024Q2', '61'], ['2024Q4', '70.5'], ['2025Q2', '78.2']],
  'NEV-OUTPUT': [['2025Q1', '380'], ['2025Q2', '820'], ['2025Q3', '1290']],
  'CHANGAN-CAPACITY': [['2024Q4', '8'], ['2025Q2', '16']],
  'TECH-ENTERPRISES': [['2024Q2', '3105'], ['2024Q4', '3390'], ['2025Q2', '3610'], ['2025Q4', '3820']],
  'HIGHTECH-ENTERPRISES': [['2024Q4', '560'], ['2025Q4', '640']],
  'FISCAL-FUNDS': [['2024', '2.1'], ['2025', '2']],
};
