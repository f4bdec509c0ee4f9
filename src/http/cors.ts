// Which web pages may call the gateway from a browser. The gateway forwards
// `Authorization` headers and never reads cookies, so no origin is ever
// allowed credentials: a page on a listed origin sends its token itself.

import type { Plugin, YogaServerOptions } from 'graphql-yoga';
import type { CorsOrigins } from '../config.ts';

type CorsOption = NonNullable<YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['cors']>;

export function corsPolicy(origins: CorsOrigins): CorsOption {
  const shared = {
    credentials: false,
    methods: ['GET', 'POST'],
    maxAge: 600,
    // A page may read the per-caller rate limits' fields (graphql/rate-limits.ts).
    exposedHeaders: ['RateLimit', 'RateLimit-Policy', 'Retry-After'],
  };
  if (origins === '*') return { ...shared, origin: '*' };
  return (request: Request) => {
    const origin = request.headers.get('origin');
    // An origin not on the list gets no CORS headers at all: its browser refuses the response.
    return origin !== null && origins.includes(origin) ? { ...shared, origin: [origin] } : false;
  };
}

/**
 * The CORS headers of a response depend on the caller's origin (yoga echoes
 * it, for `*` too): say so to caches, whichever origin asked (yoga says it
 * only with a list of more than one origin, and only to allowed ones).
 */
export function useVaryByOrigin(): Plugin {
  return {
    onResponse({ response }) {
      const vary = response.headers.get('vary');
      if (vary === null) response.headers.set('vary', 'Origin');
      else if (!/(^|,)\s*origin\s*(,|$)/i.test(vary)) response.headers.set('vary', `${vary}, Origin`);
    },
  };
}
