import { Module } from '@nestjs/common';
import { DepartmentsModule } from '../departments/departments.module.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';
import { UsersStore } from './users.store.js';

@Module({ imports: [DepartmentsModule], controllers: [UsersController], providers: [UsersService, UsersStore], exports: [UsersService] })
export class UsersModule {}
