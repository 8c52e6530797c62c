import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsService } from './alerts.service.js';
import { AlertsStore } from './alerts.store.js';

/** Alert state and silences; its emails go through the AlertNotifier NotificationsModule provides. */
@Module({})
export class AlertsModule {
  static register(role: AppConfig['role']): DynamicModule {
    return {
      module: AlertsModule,
      global: true,
      controllers: role === 'worker' ? [] : [AlertsController],
      providers: [AlertsService, AlertsStore],
      exports: [AlertsService, AlertsStore],
    };
  }
}
