import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Tx } from '../database/transactions.js';
import type { RecipientJson, RecipientRow } from './recipients.js';

const SELECT = `SELECT r.id, r.email, r.name, d.code AS department, r.subscriber, r.language, r.enabled
  FROM recipients r LEFT JOIN departments d ON d.id = r.department_id`;

/** A recipient's settings as written, its department by id. */
export interface RecipientFields {
  name: string | null; departmentId: number | null; subscriber: boolean; language: RecipientJson['language']; enabled: boolean;
}

/** The recipients table. */
@Injectable()
export class RecipientsStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The recipients who get emails, by id. */
  findEnabled(db: Tx | DataSource = this.dataSource): Promise<RecipientRow[]> {
    return db.query(`SELECT id, email, name, department_id, subscriber, language, enabled, last_digest_at FROM recipients WHERE enabled ORDER BY id`);
  }

  /** Every recipient, by email. */
  list(): Promise<RecipientJson[]> {
    return this.dataSource.query(`${SELECT} ORDER BY r.email`);
  }

  async findById(tx: Tx, id: number): Promise<RecipientJson | undefined> {
    const [row] = await tx.query(`${SELECT} WHERE r.id = $1`, [id]);
    return row;
  }

  /** Inserts the recipient and returns its id; a taken email fails with a unique violation. */
  async insert(tx: Tx, email: string, f: RecipientFields): Promise<number> {
    const [{ id }] = await tx.query(
      `INSERT INTO recipients (email, name, department_id, subscriber, language, enabled) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [email, f.name, f.departmentId, f.subscriber, f.language, f.enabled],
    );
    return id;
  }

  async update(tx: Tx, id: number, f: RecipientFields): Promise<void> {
    await tx.query(
      `UPDATE recipients SET name = $2, department_id = $3, subscriber = $4, language = $5, enabled = $6 WHERE id = $1`,
      [id, f.name, f.departmentId, f.subscriber, f.language, f.enabled],
    );
  }

  /** Records when these recipients' digest was last built. */
  async markDigested(tx: Tx, ids: number[], now: Date): Promise<void> {
    await tx.query(`UPDATE recipients SET last_digest_at = $2 WHERE id = ANY($1)`, [ids, now]);
  }
}
