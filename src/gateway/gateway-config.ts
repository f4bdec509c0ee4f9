import type { Config } from '../config.ts';

/** The settings the gateway runs on, once its upstream is known (the demo's, when main.ts started one). */
export type GatewayConfig = Omit<Config, 'upstreamUrl'> & { readonly upstreamUrl: URL };
