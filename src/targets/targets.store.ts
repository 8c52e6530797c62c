import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { type DataSource, type FindOptionsWhere, ILike, IsNull, Not, type Repository } from 'typeorm';
import { preparedQuery } from '../database/prepared.store.js';
import type { Tx } from '../database/transactions.js';
import { Milestone } from './milestone.entity.js';
import { Target } from './target.entity.js';
import type { ListTargets } from './target.schema.js';
import { ReadReplicas } from '../database/replicas.js';

/** One target with departments and milestones, by code; also run verbatim by `npm run bench:api`. */
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

/** A row of TARGET_BY_CODE_SQL. */
export interface TargetRow {
  code: string; name: string; aliases: string[]; unit: string; kind: Target['kind']; comparator: Target['comparator']; method: Target['method'];
  frequency: Target['frequency']; expectation: Target['expectation']; binding: boolean; category: string | null;
  baseline_period: string | null; baseline_value: string | null; target_period: string; target_value: string; grace_days: number;
  source_document: string | null; source_quote: string | null; source_url: string | null; notes: string | null;
  archived_at: Date | null; created_at: Date; updated_at: Date; department: string; department_name: string;
  supporting: string[]; milestones: { period: string; value: string }[];
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** targets and their milestones (and supporting departments, through the entity). */
@Injectable()
export class TargetsStore {
  constructor(
    @InjectRepository(Target) private readonly targets: Repository<Target>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reads: ReadReplicas,
  ) {}

  /** The targets of a list query (a page of them, by code) and how many match in all; from a replica when there is one. */
  listPage(query: ListTargets): Promise<[Target[], number]> {
    const where: FindOptionsWhere<Target> = {
      archivedAt: query.archived ? Not(IsNull()) : IsNull(),
      ...(query.department && { department: { code: query.department } }),
      ...(query.category && { category: query.category }),
      ...(query.kind && { kind: query.kind }),
      ...(query.binding !== undefined && { binding: query.binding }),
    };
    return this.reads.run((manager) => manager.getRepository(Target).findAndCount({
      where: query.q
        ? [{ ...where, name: ILike(`%${escapeLike(query.q)}%`) }, { ...where, code: ILike(`%${escapeLike(query.q)}%`) }]
        : where,
      order: { code: 'ASC' },
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
    }));
  }

  /** The hot read: TARGET_BY_CODE_SQL as a prepared statement on the primary's pool. */
  async rowByCode(code: string): Promise<TargetRow | undefined> {
    const [row] = await preparedQuery<TargetRow>(this.dataSource, TARGET_BY_CODE_SQL, [code]);
    return row;
  }

  /** TARGET_BY_CODE_SQL in the caller's transaction. */
  async rowByCodeIn(tx: Tx, code: string): Promise<TargetRow | undefined> {
    const [row] = await preparedQuery<TargetRow>(tx, TARGET_BY_CODE_SQL, [code]);
    return row;
  }

  /** The target entity (with its eager relations), archived or not. */
  findByCode(code: string): Promise<Target | null> {
    return this.targets.findOneBy({ code });
  }

  existsByCode(code: string): Promise<boolean> {
    return this.targets.existsBy({ code });
  }

  /** Which of these codes are taken. */
  async existingCodes(codes: string[]): Promise<Set<string>> {
    return new Set<string>(
      (await this.dataSource.query(`SELECT code FROM targets WHERE code = ANY($1)`, [codes])).map((r: { code: string }) => r.code),
    );
  }

  /** A new, unsaved target. */
  create(code: string): Target {
    return this.targets.create({ code });
  }

  /** Inserts or updates the target with its relations. */
  async save(tx: Tx, target: Target): Promise<void> {
    await tx.save(target);
  }

  /** Locks the target's row until the transaction ends; its id, undefined when the code is unknown. */
  async lockByCode(tx: Tx, code: string): Promise<number | undefined> {
    const [locked]: { id: number }[] = await tx.query(`SELECT id FROM targets WHERE code = $1 FOR UPDATE`, [code]);
    return locked?.id;
  }

  findById(tx: Tx, id: number): Promise<Target> {
    return tx.findOneByOrFail(Target, { id });
  }

  async deleteMilestones(tx: Tx, targetId: number): Promise<void> {
    await tx.delete(Milestone, { targetId });
  }

  async setArchivedAt(tx: Tx, targetId: number, archivedAt: Date): Promise<void> {
    await tx.update(Target, { id: targetId }, { archivedAt });
  }
}
