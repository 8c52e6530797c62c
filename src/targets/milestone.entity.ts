import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Target } from './target.entity.js';

@Entity('milestones')
export class Milestone {
  @PrimaryColumn({ name: 'target_id', type: 'integer' })
  targetId!: number;

  @PrimaryColumn('text')
  period!: string;

  @Column('numeric')
  value!: string;

  @ManyToOne('Target', 'milestones', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'target_id' })
  target!: Target;
}
