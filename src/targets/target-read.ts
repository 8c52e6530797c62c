/**
 * One target with its department, supporting departments and milestones, by code: the read behind
 * `GET /api/v1/targets/{code}` and, verbatim, behind the bare reference server of `npm run bench:api`
 * (so the benchmark compares the frameworks around one and the same query).
 */
export const TARGET_BY_CODE_SQL = `
  SELECT t.code, t.name, t.aliases, t.unit, t.kind, t.comparator, t.method, t.frequency, t.expectation, t.binding, t.category,
         t.baseline_period, t.baseline_value::text, t.target_period, t.target_value::text, t.grace_days,
         t.source_document, t.source_quote, t.source_url, t.notes, t.archived_at, t.created_at, t.updated_at,
         d.code AS department, d.name AS department_name,
         coalesce((SELECT array_agg(sd.code::text ORDER BY sd.code COLLATE "C") FROM target_supporting_departments s
                     JOIN departments sd ON sd.id = s.department_id WHERE s.target_id = t.id), '{}'::text[]) AS supporting,
         coalesce((SELECT json_agg(json_build_object('period', m.period, 'value', m.value::text) ORDER BY m.period COLLATE "C")
                     FROM milestones m WHERE m.target_id = t.id), '[]') AS milestones
    FROM targets t JOIN departments d ON d.id = t.department_id
   WHERE t.code = $1`;
