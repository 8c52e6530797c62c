import { Global, Injectable, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ReadReplicas } from './replicas.js';

/** A unit of work's transaction, opened by `Transactions.run`; only stores look inside it. */
export type Tx = EntityManager;

@Injectable()
export class Transactions {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** `work` in one transaction: committed when it resolves, rolled back when it throws. */
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}

/** Provides `Transactions` and `ReadReplicas` to every module. */
@Global()
@Module({ providers: [Transactions, ReadReplicas], exports: [Transactions, ReadReplicas] })
export class TransactionsModule {}
