import { Global, Injectable, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ReadReplicas } from './replicas.js';

/**
 * The transaction a unit of work runs in. Services open one with `Transactions.run` and hand it to the
 * stores that take part; only stores (files named *.store.ts) look inside it.
 */
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
