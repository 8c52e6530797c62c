import {
  Column, CreateDateColumn, Entity, JoinColumn, JoinTable, ManyToMany, ManyToOne, OneToMany,
  PrimaryGeneratedColumn, UpdateDateColumn,
} from 'typeorm';
import { Department } from '../departments/department.entity.js';
import type { Comparator, Expectation, Kind, Method } from '../evaluation/evaluation.types.js';
import type { Frequency } from '../evaluation/periods.js';
import { Milestone } from './milestone.entity.js';

@Entity('targets')
export class Target {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column('text', { unique: true })
  code!: string;

  @Column('text')
  name!: string;

  @Column('text', { array: true, default: () => `'{}'` })
  aliases!: string[];

  @Column('text')
  unit!: string;

  @Column('text')
  kind!: Kind;

  @Column('text')
  comparator!: Comparator;

  @Column('text')
  method!: Method;

  @Column('text')
  frequency!: Frequency;

  @Column('text')
  expectation!: Expectation;

  @Column('boolean')
  binding!: boolean;

  @ManyToOne(() => Department, { nullable: false, eager: true })
  @JoinColumn({ name: 'department_id' })
  department!: Department;

  @ManyToMany(() => Department, { eager: true })
  @JoinTable({
    name: 'target_supporting_departments',
    joinColumn: { name: 'target_id' },
    inverseJoinColumn: { name: 'department_id' },
  })
  supporting!: Department[];

  @Column('text', { nullable: true })
  category!: string | null;

  @Column('text', { name: 'baseline_period', nullable: true })
  baselinePeriod!: string | null;

  @Column('numeric', { name: 'baseline_value', nullable: true })
  baselineValue!: string | null;

  @Column('text', { name: 'target_period' })
  targetPeriod!: string;

  @Column('numeric', { name: 'target_value' })
  targetValue!: string;

  @OneToMany(() => Milestone, (m) => m.target, { eager: true, cascade: true })
  milestones!: Milestone[];

  @Column('integer', { name: 'grace_days' })
  graceDays!: number;

  @Column('text', { name: 'source_document', nullable: true })
  sourceDocument!: string | null;

  @Column('text', { name: 'source_quote', nullable: true })
  sourceQuote!: string | null;

  @Column('text', { name: 'source_url', nullable: true })
  sourceUrl!: string | null;

  @Column('text', { nullable: true })
  notes!: string | null;

  @Column('timestamptz', { name: 'archived_at', nullable: true })
  archivedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
