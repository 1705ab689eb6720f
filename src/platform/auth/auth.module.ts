import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyRepository } from './api-key.repository.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthGuard } from './auth.guard.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';
import { KeyRevocations } from './key-revocations.js';

@Global()
@Module({
  controllers: [ApiKeysController],
  providers: [ApiKeyRepository, ApiKeysService, KeyRevocations, FailedAuthLimiter, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [ApiKeysService, KeyRevocations, FailedAuthLimiter],
})
export class AuthModule {}
