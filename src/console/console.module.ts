import { fileURLToPath } from 'node:url';
import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ExpressAdapter } from '@nestjs/platform-express';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AuditModule } from '../audit/audit.module.js';
import { ReportsModule } from '../reports/reports.module.js';
import { StreamsModule } from '../state/streams/streams.module.js';
import { ConsoleController } from './console.controller.js';
import { StreamTimelineRepository } from './stream-timeline.repository.js';
import { StreamTimelineService } from './stream-timeline.service.js';
import { StreamsController } from './streams.controller.js';
import { AccountProfileService } from './account-profile.service.js';
import { AccountsController } from './accounts.controller.js';
import { AccountStreamsModule } from '../state/accounts/account-streams.module.js';

/** The pages, beside this file in src/ and copied beside it into dist/ by nest-cli.json's assets. */
const PUBLIC_DIR = fileURLToPath(new URL('./public', import.meta.url));
/** Chart.js's UMD build, served from the installed package: the machine may have no CDN. */
const CHART_JS_DIR = join(dirname(createRequire(import.meta.url).resolve('chart.js')));
/** Cytoscape.js's ES module build (public/js/ring-graph.js imports it), served the same way. */
const CYTOSCAPE_DIR = dirname(createRequire(import.meta.url).resolve('cytoscape'));
/** i18next's ES module build, served the same way (public/js/i18n.js imports it). */
const I18NEXT_DIR = dirname(fileURLToPath(import.meta.resolve('i18next')));

/**
 * The review console and the merchant audit page at /console/: static pages
 * that call the JSON API with the key the user signs in with. The files are
 * public; every datum behind them needs a key.
 */
@Module({
  imports: [StreamsModule, ReportsModule, AuditModule, AccountStreamsModule],
  controllers: [ConsoleController, StreamsController, AccountsController],
  providers: [StreamTimelineRepository, StreamTimelineService, AccountProfileService],
})
export class ConsoleModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost<ExpressAdapter>) {}

  // Runs before Nest installs its 404 handler, so these mounts are reached.
  onModuleInit(): void {
    const http = this.adapterHost.httpAdapter;
    const headers = { setHeaders: (response: { setHeader(name: string, value: string): void }) => setSecurityHeaders(response) };
    http.useStaticAssets(CHART_JS_DIR, { prefix: '/console/vendor/chart.js', index: false, maxAge: '1d', ...headers });
    http.useStaticAssets(I18NEXT_DIR, { prefix: '/console/vendor/i18next', index: false, maxAge: '1d', ...headers });
    http.useStaticAssets(CYTOSCAPE_DIR, { prefix: '/console/vendor/cytoscape', index: false, maxAge: '1d', ...headers });
    http.useStaticAssets(PUBLIC_DIR, { prefix: '/console', index: 'index.html', ...headers });
  }
}

export function setSecurityHeaders(response: { setHeader(name: string, value: string): void }): void {
  // Pages and scripts from this origin only; the sign-in key sits in sessionStorage, so no third-party script may run.
  response.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'",
  );
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
}
