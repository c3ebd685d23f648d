import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type pg from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { WebhookDeliverer } from './alerts/delivery/webhook-deliverer.js';
import { AppModule } from './app.module.js';
import { AuditSealer } from './audit/audit-sealer.js';
import { type AuditSigningKey, auditSigningKeyFor } from './audit/audit-signing-key.js';
import { SignedHere } from './audit/event-signature.js';
import { SigningEventStore } from './audit/signing-event-store.js';
import type { ApiKeys } from './auth/api-keys.js';
import { MetricsToken } from './auth/metrics-token.js';
import type { AppConfig } from './config/config.js';
import { newPool, openDataSource } from './database/pool.js';
import { serveDesk } from './desk/serve-desk.js';
import { createEventStore } from './event-store/create-event-store.js';
import { assertTransactionIdsBehindServer } from './event-store/postgres/transaction-id-check.js';
import { HealthMonitor } from './health/health-monitor.js';
import { answerReadsEarly } from './http/early-reads.js';
import { limitRequests } from './http/request-limits.js';
import { Stopping, stopServing } from './http/stop-serving.js';
import { IdempotencyStore, recordIdempotentResponses } from './http/idempotency.js';
import { Newsroom } from './incidents/queries/get-claim-reviews/claim-review.js';
import { CurrentViews } from './incidents/queries/get-incident/current-views.js';
import { HeldSearches } from './incidents/queries/search-incidents/held-searches.js';
import { PROBLEM_SCHEMA } from './http/problem.js';
import { requestIdFactory } from './http/write-request.js';
import { fastifyLogging, nestLogger } from './logging/logging.js';
import { MeteredEventStore } from './metrics/metered-event-store.js';
import { Metrics } from './metrics/metrics.js';
import { ProjectionRunner } from './projections/projection-runner.js';
import { ReadModelChanges } from './projections/read-model-changes.js';
import { SealingEventStore } from './sources/erasure/sealing-event-store.js';
import { SourceKeys, sourceKeysMasterKeyFor } from './sources/erasure/source-keys.js';
import { UnfinishedErasures } from './sources/erasure/unfinished-erasures.js';
import { PROJECTIONS } from './read-models.js';

export interface AppOptions {
  config: AppConfig;
  databaseUrl: string;
  apiKeys: ApiKeys;
  /** Keep the read models up to date in this process (default: BACKGROUND_WORK); tests may drive them by hand. */
  project?: boolean;
  /** Seal the ledger into the audit log in this process (default: BACKGROUND_WORK); tests may drive it by hand. */
  seal?: boolean;
  /** Deliver webhooks from this process (default: BACKGROUND_WORK), taking turns with other processes. */
  deliver?: boolean;
  /** Signs every appended event and the audit log's checkpoints; by default AUDIT_SIGNING_KEY, or in the embedded default the key kept in DATA_DIR. */
  signingKey?: AuditSigningKey;
  /** Wraps each source's key; by default SOURCE_KEYS_MASTER_KEY, or in the embedded default the key kept in DATA_DIR. */
  sourceKeysMasterKey?: Buffer;
}

// Rare, and harmless until then: an unrecorded erasure's source is unreadable already.
const FINISH_ERASURES_EVERY_MS = 60_000;

// How long a request under way when the service stops has to be answered: well inside the
// usual 30 s between a stop's SIGTERM and its SIGKILL, and far more than a request takes.
export const STOP_GRACE_MS = 10_000;

/** The service, wired and ready to listen: used by main.ts and by the e2e tests alike. */
export async function createApp({ config, databaseUrl, apiKeys, signingKey, sourceKeysMasterKey, ...background }: AppOptions): Promise<NestFastifyApplication> {
  const { project = config.BACKGROUND_WORK === 'on', seal = config.BACKGROUND_WORK === 'on', deliver = config.BACKGROUND_WORK === 'on' } = background;
  const auditSigningKey = signingKey ?? (await auditSigningKeyFor(config));
  const masterKey = sourceKeysMasterKey ?? (await sourceKeysMasterKeyFor(config));
  if (config.EVENT_STORE === 'postgres') await assertTransactionIdsBehindServer(databaseUrl);
  const pool = newPool(databaseUrl, 20, (error) => new Logger('PostgreSQL').warn(`An idle connection was closed: ${error.message}`));
  const dataSource = await openDataSource(databaseUrl, { extra: { max: 10 } });
  const metrics = new Metrics();
  // Signed as it is written, whatever path the write takes: the sealer seals only the service's
  // own events. Its appends and their conflicts are counted for GET /metrics. What identifies
  // a source is sealed before it is signed, so that auditors check what is stored, and erasing
  // a source leaves every signature true.
  const signedHere = new SignedHere();
  const storedEvents = new MeteredEventStore(new SigningEventStore(await createEventStore(config, pool), auditSigningKey, signedHere), metrics);
  const readModelChanges = new ReadModelChanges(pool);
  const sourceKeys = new SourceKeys(pool, masterKey, readModelChanges);
  const eventStore = new SealingEventStore(storedEvents, sourceKeys);
  const projections = new ProjectionRunner(eventStore, dataSource, pool, PROJECTIONS, { changes: readModelChanges });
  const auditSealer = new AuditSealer(storedEvents, pool, auditSigningKey, {
    checkpointEveryEvents: config.AUDIT_CHECKPOINT_EVERY_EVENTS,
    checkpointEverySeconds: config.AUDIT_CHECKPOINT_EVERY_SECONDS,
    signedHere,
  });
  const health = new HealthMonitor(pool, storedEvents, projections, auditSealer);
  // TypeORM keeps a pool of its own: the read models' queries and the projections' writes.
  metrics.observe(health, { main: pool, read_models: (dataSource.driver as PostgresDriver).master as pg.Pool });
  const adapter = new FastifyAdapter({ bodyLimit: config.BODY_LIMIT_BYTES, genReqId: requestIdFactory, ...fastifyLogging(config) });
  metrics.measureRequests(adapter.getInstance());
  // JSON only: Fastify's own JSON parser (honouring bodyLimit), not Nest's, which would add
  // url-encoded forms; and no text/plain, so anything else is a 415.
  adapter.getInstance().removeContentTypeParser('text/plain');
  const metricsToken = new MetricsToken(config.METRICS_TOKEN);
  const newsroom = new Newsroom(config.NEWSROOM_NAME, config.NEWSROOM_URL);
  const stopping = new Stopping();
  stopServing(adapter.getInstance(), stopping, STOP_GRACE_MS);
  const infrastructure = { pool, dataSource, eventStore, storedEvents, sourceKeys, projections, readModelChanges, apiKeys, metricsToken, auditSealer, auditSigningKey, health, metrics, newsroom, stopping };
  const webhooks = {
    allowedHosts: config.WEBHOOK_ALLOWED_HOSTS,
    timeoutMs: config.WEBHOOK_TIMEOUT_SECONDS * 1000,
    maxDelayMs: config.WEBHOOK_RETRY_MAX_DELAY_SECONDS * 1000,
    retryForMs: config.WEBHOOK_RETRY_FOR_SECONDS * 1000,
  };
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(infrastructure, webhooks), adapter, { logger: nestLogger(config), bodyParser: false });
  // First of the request hooks: a request over its limits is answered before anything else runs.
  await limitRequests(app.getHttpAdapter().getInstance(), apiKeys, {
    perKey: config.RATE_LIMIT_PER_KEY,
    perAddress: config.RATE_LIMIT_PER_ADDRESS,
    failedAuth: config.RATE_LIMIT_FAILED_AUTH,
  });
  recordIdempotentResponses(app.getHttpAdapter().getInstance(), app.get(IdempotencyStore));
  answerReadsEarly(app.getHttpAdapter().getInstance(), apiKeys, [app.get(CurrentViews).early, app.get(HeldSearches).early]);
  app.enableShutdownHooks();
  serveDesk(app);
  useOpenApi(app);
  // The process that projects finishes erasures left halfway, from the source view it keeps up.
  const erasures = app.get(UnfinishedErasures);
  const finishErasures = () => void erasures.finish().catch((error: unknown) => new Logger('UnfinishedErasures').error(String(error)));
  let finishingErasures: NodeJS.Timeout | undefined;
  const webhookDeliverer = app.get(WebhookDeliverer);
  adapter.getInstance().addHook('onReady', async () => {
    await readModelChanges.start();
    if (project) projections.start();
    if (project) finishingErasures = setInterval(finishErasures, FINISH_ERASURES_EVERY_MS).unref();
    if (seal) auditSealer.start();
    if (deliver) webhookDeliverer.start();
    await health.start();
  });
  adapter.getInstance().addHook('onClose', async () => {
    // Every step, even after one failed: whatever is left open keeps the process alive.
    clearInterval(finishingErasures);
    health.stop();
    const steps = [() => projections.stop(), () => auditSealer.stop(), () => webhookDeliverer.stop(), () => readModelChanges.close(), () => eventStore.close(), () => dataSource.destroy(), () => pool.end()];
    for (const step of steps) await step().catch((error: unknown) => new Logger('Shutdown').error(String(error)));
  });
  return app;
}

function useOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Incident Ledger')
    .setDescription(
      'Event-sourced incident tracking for news desks. Every claim, retraction and statement is an immutable event. ' +
        'Writes answer 201 with the new version and an ETag; send If-Match to guard against concurrent edits and Idempotency-Key to make a POST safe to retry. ' +
        'Errors are application/problem+json (RFC 9457) with a machine-readable `code` and per-field `errors`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key (API_KEYS, or the admin key printed on first start).' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = { ...document.components, schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA } };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
}
