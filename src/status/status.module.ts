import { Global, Module } from '@nestjs/common';
import { StatusController } from './status.controller.js';
import { StatusRegistry } from './status.registry.js';

@Global()
@Module({ controllers: [StatusController], providers: [StatusRegistry], exports: [StatusRegistry] })
export class StatusModule {}
