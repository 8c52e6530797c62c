import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type RunState = 'queued' | 'running' | 'completed' | 'failed';
export type RunTrigger = 'manual' | 'schedule';

@Entity('evaluation_runs')
export class EvaluationRun {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  trigger!: RunTrigger;

  @Column('text')
  state!: RunState;

  @Column('timestamptz', { name: 'as_of' })
  asOf!: Date;

  @Column('integer', { name: 'chunks_total', nullable: true })
  chunksTotal!: number | null;

  @Column('integer', { name: 'chunks_done' })
  chunksDone!: number;

  @Column('integer', { name: 'targets_total', nullable: true })
  targetsTotal!: number | null;

  @Column('jsonb')
  counts!: Record<string, number>;

  @Column('text', { nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;
}
