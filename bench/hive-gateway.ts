// The peer: Hive Gateway serving a GraphQL Mesh OpenAPI source built from
// schema/assistants.openapi.yaml, the upstream's own description, in one
// process, as its packages ship it (no response cache, no tuning). Two roles:
//
// - MESH_COMPOSE_TO=<file>: composes the supergraph SDL (`@omnigraph/openapi`
//   through `@graphql-mesh/compose-cli`, with UPSTREAM_URL as the source's
//   endpoint), writes it to that file, reports it and exits. Composing in a
//   process of its own keeps its memory out of the serving process's peak.
// - SUPERGRAPH=<file>: serves that supergraph on loopback (the REST transport,
//   `@graphql-mesh/transport-rest`) and reports its port once it listens.
//
// Nothing reaches beyond this machine: no usage reporting (`reporting` is not
// set, so no Hive or GraphOS token is read), no schema registry or CDN (the
// supergraph is a local file), no telemetry, no GraphiQL or landing page
// (which would load assets from a CDN), logging off.

import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const upstreamUrl = process.env.UPSTREAM_URL ?? 'http://127.0.0.1:8080';
const composeTo = process.env.MESH_COMPOSE_TO;

if (composeTo) {
  const { getComposedSchemaFromConfig } = await import('@graphql-mesh/compose-cli');
  const { DefaultLogger, LogLevel } = await import('@graphql-mesh/utils');
  const { loadOpenAPISubgraph } = await import('@omnigraph/openapi');
  const source = fileURLToPath(new URL('../schema/assistants.openapi.yaml', import.meta.url));
  const supergraph = await getComposedSchemaFromConfig(
    { subgraphs: [{ sourceHandler: loadOpenAPISubgraph('Assistants', { source, endpoint: upstreamUrl }) }] },
    new DefaultLogger('mesh-compose', LogLevel.warn),
  );
  writeFileSync(composeTo, supergraph);
  process.send?.({ ready: composeTo }, () => process.exit(0));
} else {
  const { createGatewayRuntime } = await import('@graphql-hive/gateway-runtime');
  const rest = await import('@graphql-mesh/transport-rest');
  const gateway = createGatewayRuntime({
    supergraph: readFileSync(process.env.SUPERGRAPH ?? '', 'utf8'),
    transports: { rest },
    logging: false,
    graphiql: false,
    landingPage: false,
  });
  const server = createServer(gateway);
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ ready: typeof address === 'object' && address ? address.port : 0 });
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  // The bench went away without stopping us: nobody is left to measure.
  process.on('disconnect', () => process.exit(0));
}
