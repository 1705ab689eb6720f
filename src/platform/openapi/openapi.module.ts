import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ExpressAdapter } from '@nestjs/platform-express';
import { setSecurityHeaders } from '../../console/console.module.js';
import { OpenApiController } from './openapi.controller.js';

/** The docs page, beside this file in src/ and copied beside it into dist/ by nest-cli.json's assets. */
const PUBLIC_DIR = fileURLToPath(new URL('./public', import.meta.url));
/** Swagger UI's browser bundle, served from the installed package: the machine may have no CDN. */
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist'));

/**
 * `/openapi.json` and the page at `/docs/` that renders it with Swagger UI,
 * under the console's Content-Security-Policy (scripts from this origin only).
 */
@Module({ controllers: [OpenApiController] })
export class OpenApiModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost<ExpressAdapter>) {}

  // Runs before Nest installs its 404 handler, so these mounts are reached.
  onModuleInit(): void {
    const http = this.adapterHost.httpAdapter;
    const headers = { setHeaders: setSecurityHeaders };
    http.useStaticAssets(SWAGGER_UI_DIR, { prefix: '/docs/vendor/swagger-ui', index: false, maxAge: '1d', ...headers });
    http.useStaticAssets(PUBLIC_DIR, { prefix: '/docs', index: 'index.html', ...headers });
  }
}
