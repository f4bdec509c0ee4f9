// Trusted documents in the gateway: the manifests' set (loaded at start,
// again on SIGHUP), the APQ store (Redis when REDIS_URL is set), and the
// plugins that serve them (graphql/trusted-documents.ts). A persisted
// document is prepared by the server itself, so it meets every rule an
// arbitrary document meets (limits included), once, at load.

import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { type ApqStore, createMemoryApqStore, createRedisApqStore } from '../cache/apq-store.ts';
import type { CompiledExecution } from '../graphql/compiled-execution.ts';
import { PersistedDocuments, type PrepareDocument } from '../graphql/persisted-documents.ts';
import { ManifestError } from '../graphql/persisted-manifests.ts';
import { useTrustedDocuments } from '../graphql/trusted-documents.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { RequestTelemetry } from '../observability/request-telemetry.ts';
import type { GatewayConfig } from './gateway-config.ts';
import { redisOptionsFor } from './redis-options.ts';

export interface TrustedDocumentsSetupOptions {
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly telemetry: Pick<RequestTelemetry, 'identify'>;
  readonly compiledExecution: CompiledExecution;
}

/** What of a yoga server a document is prepared with: its parse and validate, with every plugin's hooks. */
interface EnvelopedServer {
  getEnveloped(context: never): {
    parse: (text: string) => DocumentNode;
    validate: (schema: never, document: never) => readonly { message: string }[];
    schema: GraphQLSchema;
  };
}

export type TrustedDocumentsSetup = ReturnType<typeof createTrustedDocuments>;

export function createTrustedDocuments(config: GatewayConfig, options: TrustedDocumentsSetupOptions) {
  const settings = config.trustedDocuments;
  const { metrics } = options;
  let prepare: PrepareDocument | undefined;
  const documents =
    settings.manifests.length > 0
      ? new PersistedDocuments({
          files: settings.manifests,
          prepare: (text) => {
            if (!prepare) throw new Error('persisted documents loaded before their server exists');
            return prepare(text);
          },
        })
      : undefined;
  const apq = settings.apq ? createApqStore(config, options) : undefined;
  const watching = documents !== undefined || apq !== undefined || settings.mode !== 'allow';

  return {
    plugins: watching
      ? useTrustedDocuments({
          mode: settings.mode,
          documents,
          apq,
          introspection: config.introspection,
          maxTokens: config.limits.maxTokens,
          sharedMaxAgeSeconds: settings.persistedGetMaxAgeSeconds,
          identify: options.telemetry.identify,
          countArbitrary: metrics.arbitraryDocument,
        })
      : [],

    /** Once the server exists: its documents are prepared by it. */
    attach(server: EnvelopedServer): void {
      prepare = (text) => {
        const { parse, validate, schema } = server.getEnveloped({} as never);
        const document = parse(text);
        const errors = validate(schema as never, document as never);
        if (errors.length > 0) return { errors };
        options.compiledExecution.precompile(schema, document);
        return document;
      };
    },

    ...loading(documents, config, options),

    /** Settles once the APQ store's Redis is connected (or has failed), `ms` at most. */
    connected: (ms: number) => apq?.connected?.(ms) ?? Promise.resolve(),

    close: () => apq?.close(),
  };
}

/** Loading the manifests at start (a failure stops the gateway) and on SIGHUP (a failure keeps the set in use). */
function loading(
  documents: PersistedDocuments | undefined,
  { trustedDocuments: settings }: GatewayConfig,
  { metrics, logger }: TrustedDocumentsSetupOptions,
) {
  const files = `${settings.manifests.length} manifest(s)`;
  let running: Promise<boolean> | undefined;
  let again: Promise<boolean> | undefined;
  return {
    /** At start: a manifest that cannot be used stops the gateway, with one line naming the file and the id. */
    async load(): Promise<void> {
      if (!documents) return;
      // A manifest that cannot be used is a ManifestError: a ConfigError, one line, and the start stops.
      const { count } = await documents.load();
      metrics.persistedDocumentsLoaded(count);
      logger.info(`persisted documents: ${count} from ${files}, mode ${settings.mode}`);
    },

    /**
     * SIGHUP: the manifests read again; if any fails, the set in use stays,
     * and the log says why. One reload at a time: a signal during one is
     * answered by one more reload after it, which reads the files as they are then.
     */
    reload(): Promise<boolean> {
      if (running) {
        again ??= running.then(() => {
          again = undefined;
          return startReload();
        });
        return again;
      }
      return startReload();
    },
  };

  function startReload(): Promise<boolean> {
    running = reloadOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  async function reloadOnce(): Promise<boolean> {
    if (!documents) {
      logger.info('SIGHUP: no PERSISTED_DOCUMENTS to reload');
      return false;
    }
    try {
      const { count } = await documents.load();
      metrics.persistedDocumentsLoaded(count);
      logger.info(`SIGHUP: persisted documents reloaded: ${count} from ${files}`);
      return true;
    } catch (error) {
      const reason = error instanceof ManifestError ? error.message : String(error);
      logger.error(`SIGHUP: persisted documents not reloaded, the ${documents.count} loaded before stay: ${reason}`);
      return false;
    }
  }
}

function createApqStore(
  config: GatewayConfig,
  { metrics, logger }: TrustedDocumentsSetupOptions,
): ApqStore & { connected?: (ms: number) => Promise<void> } {
  const connection = redisOptionsFor(
    config,
    { metrics, logger },
    {
      down: 'Redis is not answering: APQ hashes are not known until it is back (clients send the text)',
      back: 'Redis answers again: APQ hashes are shared again',
    },
  );
  if (connection === undefined) return createMemoryApqStore(config.trustedDocuments.apqCacheBytes);
  return createRedisApqStore(connection);
}
