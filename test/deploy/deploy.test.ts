// The deployment files (deploy/) are read by Docker, Compose, HAProxy,
// Prometheus, Grafana and Kubernetes, none of which runs here. A misspelt
// setting in them is ignored in silence, and a probe, port or grace period
// that does not fit the gateway's draining drops requests only in production.
// So this checks what can be checked without them: every file parses, names
// only settings the gateway reads and keeps the secrets in the secret files,
// and its ports, probes and stop timings agree with the gateway's own (read
// from the source, not copied here).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ConfigError, loadConfig } from '../../src/config.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function read(path: string): string {
  return readFileSync(`${root}${path}`, 'utf8');
}

function filesUnder(dir: string): string[] {
  return readdirSync(`${root}${dir}`, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(`${dir}/${entry.name}`) : [`${dir}/${entry.name}`]))
    .sort();
}

/** Compose files use YAML merge keys (`<<: *gateway`). */
function parseYaml<T>(path: string): T {
  return parse(read(path), { merge: true }) as T;
}

// --- What the gateway reads, from its source ---------------------------------

const sources = filesUnder('src')
  .filter((file) => file.endsWith('.ts'))
  .map(read);
const configSource = read('src/config.ts');

/** Every variable read under src/: `read.integer('NAME', …)`, `process.env.NAME`, `env.NAME`. */
const settingsRead = new Set(
  sources.flatMap((source) => [
    ...[...source.matchAll(/read\.\w+\(\s*'([A-Z][A-Z0-9_]+)'/g)].map((match) => match[1] as string),
    ...[...source.matchAll(/\benv(?:\.|\[')([A-Z][A-Z0-9_]+)/g)].map((match) => match[1] as string),
  ]),
);

/** A variable the gateway reads, or Node itself, or OpenTelemetry's SDK (its standard `OTEL_*`). */
function isKnownSetting(name: string): boolean {
  return settingsRead.has(name) || name === 'NODE_ENV' || name === 'NODE_OPTIONS' || name.startsWith('OTEL_');
}

/** A numeric default from config.ts, e.g. `read.integer('PORT', 4000, …)`. */
function configDefault(name: string): number {
  const match = new RegExp(`read\\.\\w+\\(\\s*'${name}',\\s*([\\d_]+)`).exec(configSource);
  if (!match) throw new Error(`no numeric default for ${name} in src/config.ts`);
  return Number((match[1] as string).replaceAll('_', ''));
}

/** How long the gateway gives buffered spans when it stops, after the drain. */
function traceFlushMs(): number {
  for (const source of sources) {
    const match = /traceFlushTimeoutMs\s*=\s*([\d_]+)/.exec(source);
    if (match) return Number((match[1] as string).replaceAll('_', ''));
  }
  throw new Error('no traceFlushTimeoutMs under src/');
}

const secretSettings = ['UPSTREAM_TOKEN', 'CACHE_KEY_SECRET', 'CACHE_INVALIDATION_TOKEN'];

// --- Small readers of the files' formats -------------------------------------

interface EnvFile {
  readonly values: ReadonlyMap<string, string>;
  /** Names in commented-out assignments (`# UPSTREAM_URL=…`): examples a user will uncomment. */
  readonly commented: readonly string[];
}

function readEnvFile(path: string): EnvFile {
  const values = new Map<string, string>();
  const commented: string[] = [];
  for (const line of read(path).split('\n')) {
    const example = /^#\s*([A-Z][A-Z0-9_]+)=/.exec(line);
    if (example) commented.push(example[1] as string);
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (assignment) values.set(assignment[1] as string, assignment[2] as string);
  }
  return { values, commented };
}

/** `30s`, `1s`, `500ms`, `2m`; HAProxy and Compose both default to a unit of their own, so one is required. */
function durationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

/** `512Mi`, `1Gi` (Kubernetes) or `512m`, `1g` (Docker, where m is MiB), in MiB. */
function mebibytes(text: string): number {
  const match = /^(\d+)(Mi|Gi|m|g)$/.exec(text.trim());
  if (!match) throw new Error(`not a memory size in MiB or GiB: ${text}`);
  return Number(match[1]) * (match[2] === 'Gi' || match[2] === 'g' ? 1024 : 1);
}

function maxOldSpaceMiB(nodeOptions: string | undefined): number | undefined {
  const match = /--max-old-space-size=(\d+)/.exec(nodeOptions ?? '');
  return match ? Number(match[1]) : undefined;
}

interface DockerInstruction {
  readonly keyword: string;
  readonly args: string;
}

/** Instructions, line continuations joined, grouped by stage (each starts with its FROM). */
function dockerStages(text: string): DockerInstruction[][] {
  const stages: DockerInstruction[][] = [];
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

/** HAProxy's sections (`backend gateways`, `defaults`…), each a list of its lines without comments. */
function haproxySections(text: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trimEnd();
    if (line.trim() === '') continue;
    if (/^\S/.test(line)) {
      current = [];
      sections.set(line.trim().replace(/\s+/g, ' '), current);
    } else {
      current?.push(line.trim().replace(/\s+/g, ' '));
    }
  }
  return sections;
}

/** The value after the last `keyword` in a list of HAProxy words (`inter 1s` → `1s`): a server's own beats default-server's. */
function haproxyOption(words: readonly string[], keyword: string): string | undefined {
  const index = words.lastIndexOf(keyword);
  return index >= 0 ? words[index + 1] : undefined;
}

// --- The files ----------------------------------------------------------------

interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly context?: string; readonly dockerfile?: string };
  readonly env_file?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly stop_grace_period?: string;
  readonly mem_limit?: string;
  readonly ports?: readonly string[];
  readonly volumes?: readonly string[];
}

interface Compose {
  readonly services: Readonly<Record<string, ComposeService>>;
}

const compose = parseYaml<Compose>('deploy/compose.yaml');
const gatewayServices = Object.entries(compose.services)
  .filter(([, service]) => service.build?.dockerfile === 'deploy/Dockerfile')
  .map(([name]) => name)
  .sort();
const gatewayService = compose.services[gatewayServices[0] as string] as ComposeService;

const gatewayEnv = readEnvFile('deploy/gateway.env');
const secretsExample = readEnvFile('deploy/gateway.secrets.env.example');

interface Probe {
  readonly httpGet?: { readonly path: string; readonly port: string | number };
  readonly periodSeconds?: number;
  readonly failureThreshold?: number;
}

interface Container {
  readonly name: string;
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
  readonly envFrom?: readonly {
    readonly configMapRef?: { readonly name: string };
    readonly secretRef?: { readonly name: string };
  }[];
  readonly resources?: {
    readonly requests?: Readonly<Record<string, string>>;
    readonly limits?: Readonly<Record<string, string>>;
  };
  readonly startupProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly lifecycle?: {
    readonly preStop?: {
      readonly exec?: { readonly command: readonly string[] };
      readonly sleep?: { seconds: number };
    };
  };
  readonly securityContext?: {
    readonly allowPrivilegeEscalation?: boolean;
    readonly readOnlyRootFilesystem?: boolean;
    readonly capabilities?: { readonly drop?: readonly string[] };
  };
}

type Labels = Readonly<Record<string, string>>;

interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
}

interface Deployment extends Manifest {
  readonly spec: {
    readonly replicas?: number;
    readonly selector: { readonly matchLabels: Labels };
    readonly template: {
      readonly metadata: { readonly labels: Labels; readonly annotations?: Labels };
      readonly spec: {
        readonly terminationGracePeriodSeconds?: number;
        readonly securityContext?: { readonly runAsNonRoot?: boolean; readonly runAsUser?: number };
        readonly containers: readonly Container[];
      };
    };
  };
}

interface ConfigMap extends Manifest {
  readonly data: Readonly<Record<string, string>>;
}

interface Secret extends Manifest {
  readonly data?: Readonly<Record<string, string>>;
  readonly stringData?: Readonly<Record<string, string>>;
}

interface Service extends Manifest {
  readonly spec: {
    readonly selector: Labels;
    readonly ports: readonly { readonly name: string; readonly port: number; readonly targetPort: string | number }[];
  };
}

interface PodDisruptionBudget extends Manifest {
  readonly spec: {
    readonly selector: { readonly matchLabels: Labels };
    readonly minAvailable?: number;
    readonly maxUnavailable?: number;
  };
}

interface HorizontalPodAutoscaler extends Manifest {
  readonly spec: {
    readonly scaleTargetRef: { readonly kind: string; readonly name: string };
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly metrics: readonly { readonly resource?: { readonly name: string } }[];
  };
}

const kubernetesFiles = filesUnder('deploy/kubernetes').filter((file) => file.endsWith('.yaml'));
const manifests = kubernetesFiles.flatMap((file) =>
  parseAllDocuments(read(file))
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null && 'kind' in manifest),
);

/** The one manifest of a kind. */
function manifest<T extends Manifest>(kind: string): T {
  const found = manifests.filter((candidate) => candidate.kind === kind);
  if (found.length !== 1) throw new Error(`deploy/kubernetes has ${found.length} ${kind} manifests, not one`);
  return found[0] as T;
}

const deployment = manifest<Deployment>('Deployment');
const pod = deployment.spec.template;
const container = pod.spec.containers[0] as Container;
const configMap = manifest<ConfigMap>('ConfigMap');
const secret = manifest<Secret>('Secret');
const secretKeys = Object.keys({ ...secret.data, ...secret.stringData });
const configMapCommented = [...read('deploy/kubernetes/configmap.yaml').matchAll(/^\s*#\s*([A-Z][A-Z0-9_]+):\s/gm)].map(
  (match) => match[1] as string,
);

/** A setting as the gateways of compose.yaml get it, or its default. */
function composeSetting(name: string): number {
  const value = gatewayService.environment?.[name] ?? gatewayEnv.values.get(name);
  return value === undefined ? configDefault(name) : Number(value);
}

/** A setting as the pods get it, or its default. */
function podSetting(name: string): number {
  const value = container.env?.find((variable) => variable.name === name)?.value ?? configMap.data[name];
  return value === undefined ? configDefault(name) : Number(value);
}

/** The preStop hook's sleep, as `exec: sleep N` or Kubernetes' own `sleep: { seconds }`. */
function preStopSeconds(): number {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep) return preStop.sleep.seconds;
  const [command, seconds] = preStop?.exec?.command ?? [];
  if (command !== 'sleep') throw new Error(`preStop runs ${command}, not sleep`);
  return Number(seconds);
}

const dockerfile = dockerStages(read('deploy/Dockerfile'));
const runtimeStage = dockerfile.at(-1) ?? [];

function instructions(stage: readonly DockerInstruction[], keyword: string): string[] {
  return stage.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
}

const haproxy = haproxySections(read('deploy/haproxy.cfg'));
const haproxyBackend = [...haproxy.entries()].find(([name]) => name.startsWith('backend '))?.[1] ?? [];
const haproxyDefaults = haproxy.get('defaults') ?? [];
const haproxyDefaultServer = (haproxyBackend.find((line) => line.startsWith('default-server ')) ?? '').split(' ');
/** Each `server name address …` of the backend, with the default-server options before its own. */
const haproxyServers = haproxyBackend
  .filter((line) => line.startsWith('server '))
  .map((line) => {
    const [, name = '', address = '', ...options] = line.split(' ');
    return { name, address, options: [...haproxyDefaultServer.slice(1), ...options] };
  });

// --- The checks -----------------------------------------------------------------

describe('YAML files in deploy/', () => {
  it('parse without errors, every document of them', () => {
    const yamlFiles = filesUnder('deploy').filter((file) => /\.ya?ml$/.test(file));
    expect(yamlFiles.length).toBeGreaterThan(8);
    const errors = yamlFiles.flatMap((file) =>
      parseAllDocuments(read(file)).flatMap((document) => document.errors.map((error) => `${file}: ${error.message}`)),
    );
    expect(errors).toEqual([]);
  });
});

describe('settings in deploy/', () => {
  const settingsBySource: Record<string, readonly string[]> = {
    'gateway.env': [...gatewayEnv.values.keys(), ...gatewayEnv.commented],
    'gateway.secrets.env.example': [...secretsExample.values.keys(), ...secretsExample.commented],
    'compose.yaml (gateway environment)': gatewayServices.flatMap((name) =>
      Object.keys(compose.services[name]?.environment ?? {}),
    ),
    ConfigMap: [...Object.keys(configMap.data), ...configMapCommented],
    Secret: secretKeys,
    'Deployment env': (container.env ?? []).map((variable) => variable.name),
    'Dockerfile ENV': instructions(runtimeStage, 'ENV').map((args) => args.split(/[=\s]/)[0] as string),
  };

  it('name only variables the gateway, Node or OpenTelemetry read', () => {
    expect(settingsRead.size).toBeGreaterThan(30);
    const unknown = Object.entries(settingsBySource).flatMap(([source, names]) =>
      names.filter((name) => !isKnownSetting(name)).map((name) => `${source}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('keep the secrets (tokens, CACHE_KEY_SECRET) in the Secret and the secrets env file only', () => {
    const secretSources = ['gateway.secrets.env.example', 'Secret'];
    const leaked = Object.entries(settingsBySource)
      .filter(([source]) => !secretSources.includes(source))
      .flatMap(([source, names]) =>
        names.filter((name) => secretSettings.includes(name)).map((name) => `${source}: ${name}`),
      );
    expect(leaked).toEqual([]);
    // And the secret files hold the secrets, not settings that belong in plain view.
    expect([...secretKeys].sort()).toEqual([...secretSettings].sort());
    expect([...secretsExample.values.keys()].sort()).toEqual([...secretSettings].sort());
  });

  it('reach the gateways: compose passes both env files, the pods both the ConfigMap and the Secret', () => {
    for (const name of gatewayServices) {
      expect(compose.services[name]?.env_file).toEqual(['gateway.env', 'gateway.secrets.env']);
    }
    // The real secrets file is a copy of the example that git never sees.
    expect(read('deploy/.gitignore').split('\n')).toContain('gateway.secrets.env');
    expect(container.envFrom?.map((source) => source.configMapRef?.name).filter(Boolean)).toEqual([
      configMap.metadata.name,
    ]);
    expect(container.envFrom?.map((source) => source.secretRef?.name).filter(Boolean)).toEqual([secret.metadata.name]);
  });

  it('run one process per container, the unit Compose and Kubernetes count and size (WORKERS=1)', () => {
    expect(gatewayEnv.values.get('WORKERS')).toBe('1');
    expect(configMap.data.WORKERS).toBe('1');
  });
});

describe('the embedded demo upstream in deploy/', () => {
  /** The image's own environment (the runtime stage's ENV), under what each deployment adds. */
  const imageEnv = Object.fromEntries(
    instructions(runtimeStage, 'ENV').map((args) => [args.split('=')[0], args.slice(args.indexOf('=') + 1)]),
  );
  const deployments: [string, Record<string, string | undefined>][] = [
    [
      'compose.yaml',
      {
        ...imageEnv,
        ...Object.fromEntries(gatewayEnv.values),
        ...Object.fromEntries(secretsExample.values),
        ...gatewayService.environment,
      },
    ],
    [
      'kubernetes',
      {
        ...imageEnv,
        ...configMap.data,
        ...secret.stringData,
        ...Object.fromEntries((container.env ?? []).map((variable) => [variable.name, variable.value])),
      },
    ],
  ];

  it.each(deployments)('%s: runs with NODE_ENV=production, names UPSTREAM_URL, never asks for the demo', (_, env) => {
    expect(env.NODE_ENV).toBe('production');
    // A setting in plain view, not a commented-out example that leaves it unset in silence.
    expect(Object.keys(env)).toContain('UPSTREAM_URL');
    expect(env.DEMO_UPSTREAM).toBeUndefined();
  });

  it.each(deployments)('%s: as shipped, or with UPSTREAM_URL left out, stops at start naming it', (_, env) => {
    const start = (upstreamUrl: string | undefined) => {
      try {
        return loadConfig({ ...env, UPSTREAM_URL: upstreamUrl }).demoUpstream ? 'the demo' : 'the REST API';
      } catch (error) {
        return error instanceof ConfigError ? `config: ${error.message}` : String(error);
      }
    };
    for (const upstreamUrl of [env.UPSTREAM_URL, '', undefined]) {
      expect(start(upstreamUrl)).toMatch(/^(the REST API|config: UPSTREAM_URL is not set\b.*)$/);
    }
    // Filled in, the rest of the settings load as they are.
    expect(start('https://assistants.internal.example/api')).toBe('the REST API');
  });
});

describe('deploy/Dockerfile', () => {
  const buildConfig = JSON.parse(read('tsconfig.build.json')) as {
    compilerOptions: { outDir: string; rootDir: string };
  };
  const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

  it('builds in one stage and runs in another, with production dependencies only', () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    const copied = instructions(runtimeStage, 'COPY').filter((args) => args.startsWith('--from='));
    const fromStage = /^--from=(\S+)/.exec(copied[0] ?? '')?.[1];
    const buildStage = dockerfile.find((stage) => new RegExp(`\\bAS ${fromStage}$`, 'i').test(stage[0]?.args ?? ''));
    expect(instructions(buildStage ?? [], 'RUN').some((args) => args.includes('npm run build'))).toBe(true);
    expect(copied.map((args) => args.split(/\s+/).slice(1, -1))).toEqual([
      [`/app/${buildConfig.compilerOptions.outDir}`],
    ]);
    expect(instructions(runtimeStage, 'RUN').some((args) => args.includes('npm ci --omit=dev'))).toBe(true);
    expect(instructions(runtimeStage, 'RUN').some((args) => args.includes('npm run build'))).toBe(false);
  });

  it('copies files that exist, from the repository root as its build context', () => {
    const sourcesCopied = dockerfile
      .flatMap((stage) => instructions(stage, 'COPY'))
      .filter((args) => !args.startsWith('--from='))
      .flatMap((args) => args.split(/\s+/).slice(0, -1));
    expect(sourcesCopied).toContain('src');
    expect(sourcesCopied.filter((path) => !existsSync(`${root}${path}`))).toEqual([]);
    expect(compose.services[gatewayServices[0] as string]?.build).toEqual({
      context: '..',
      dockerfile: 'deploy/Dockerfile',
    });
  });

  it('runs dist/main.js, what the build makes of src/main.ts', () => {
    expect(packageJson.scripts.build).toBe('tsc -p tsconfig.build.json');
    expect(buildConfig.compilerOptions.rootDir).toBe('src');
    expect(existsSync(`${root}src/main.ts`)).toBe(true);
    const entry = `${buildConfig.compilerOptions.outDir}/main.js`;
    expect(instructions(runtimeStage, 'CMD').map((args) => JSON.parse(args) as string[])).toEqual([['node', entry]]);
  });

  it('runs as a user that is not root, with NODE_ENV=production', () => {
    const user = instructions(runtimeStage, 'USER').at(-1);
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user?.split(':')[0]);
    expect(instructions(runtimeStage, 'ENV')).toContain('NODE_ENV=production');
  });

  it('exposes the default ports and checks /health on the GraphQL port', () => {
    const exposed = instructions(runtimeStage, 'EXPOSE').flatMap((args) => args.split(/\s+/).map(Number));
    expect(exposed.sort((a, b) => a - b)).toEqual([configDefault('PORT'), configDefault('METRICS_PORT')]);
    const healthcheck = instructions(runtimeStage, 'HEALTHCHECK').join(' ');
    expect(healthcheck).toContain('/health');
    expect(healthcheck).toContain(String(configDefault('PORT')));
    expect(healthcheck).not.toMatch(/\bcurl\b|\bwget\b/);
  });

  it('stops with SIGTERM, the signal that drains (SIGINT skips SHUTDOWN_DELAY_MS)', () => {
    expect(instructions(runtimeStage, 'STOPSIGNAL')).toEqual(['SIGTERM']);
  });
});

describe('deploy/compose.yaml', () => {
  const metricsPort = composeSetting('METRICS_PORT');
  const port = composeSetting('PORT');

  it('runs several gateway replicas of one image', () => {
    expect(gatewayServices.length).toBeGreaterThanOrEqual(2);
    expect(new Set(gatewayServices.map((name) => compose.services[name]?.image)).size).toBe(1);
  });

  it('gives a replica longer to stop than its drain and trace flush take', () => {
    const drainMs = composeSetting('SHUTDOWN_DELAY_MS') + composeSetting('SHUTDOWN_TIMEOUT_MS') + traceFlushMs();
    for (const name of gatewayServices) {
      expect(durationMs(compose.services[name]?.stop_grace_period ?? '10s')).toBeGreaterThan(drainMs);
    }
  });

  it("caps V8's old generation below the container's memory limit", () => {
    const heap = maxOldSpaceMiB(gatewayService.environment?.NODE_OPTIONS);
    expect(heap).toBeDefined();
    expect(heap).toBeLessThan(mebibytes(gatewayService.mem_limit ?? '0'));
  });

  it('has Prometheus scrape every gateway replica on its metrics port', () => {
    const prometheus = parseYaml<{
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    }>('deploy/prometheus.yml');
    const targets = prometheus.scrape_configs.flatMap((job) => job.static_configs.flatMap((config) => config.targets));
    const gatewayTargets = targets.filter((target) => target.endsWith(`:${metricsPort}`));
    expect(gatewayTargets.sort()).toEqual(gatewayServices.map((name) => `${name}:${metricsPort}`));
  });

  it('has HAProxy balance every replica on the GraphQL port, checking /ready for a 200', () => {
    expect(haproxyServers.map((server) => server.address).sort()).toEqual(
      gatewayServices.map((name) => `${name}:${port}`),
    );
    expect(haproxyServers.filter((server) => !server.options.includes('check'))).toEqual([]);
    expect(haproxyBackend).toContain('option httpchk GET /ready');
    expect(haproxyBackend).toContain('http-check expect status 200');
    const frontend = [...haproxy.entries()].find(([name]) => name === 'frontend graphql')?.[1] ?? [];
    expect(frontend).toContain(`bind :${port}`);
    expect(compose.services.haproxy?.ports).toContain(`${port}:${port}`);
  });

  it('has HAProxy take a draining replica out before it stops serving', () => {
    for (const server of haproxyServers) {
      // HAProxy's defaults: every 2 s, 3 failures.
      const interMs = durationMs(haproxyOption(server.options, 'inter') ?? '2s');
      const fall = Number(haproxyOption(server.options, 'fall') ?? 3);
      expect(interMs * fall).toBeLessThan(composeSetting('SHUTDOWN_DELAY_MS'));
    }
  });

  it('has HAProxy wait for an answer longer than a draining replica lets requests run', () => {
    const timeout = [...haproxyBackend, ...haproxyDefaults].find((line) => line.startsWith('timeout server '));
    expect(durationMs(timeout?.split(' ')[2] ?? '0ms')).toBeGreaterThan(composeSetting('SHUTDOWN_TIMEOUT_MS'));
  });

  it('has HAProxy resend a request only before an answer began, and only while every operation is a read', () => {
    const retryOn =
      haproxyBackend
        .find((line) => line.startsWith('retry-on '))
        ?.split(' ')
        .slice(1) ?? [];
    expect(retryOn.filter((event) => !['conn-failure', 'empty-response'].includes(event))).toEqual([]);
    // A retried POST runs twice: harmless only without mutations.
    if (retryOn.length > 0) {
      expect(read('schema/schema.graphql')).not.toMatch(/^(?:extend\s+)?type\s+(?:Mutation|Subscription)\b/m);
    }
  });

  it('has Grafana load the dashboard file and read the Prometheus of compose', () => {
    const grafana = compose.services.grafana as ComposeService;
    const mounts = (grafana.volumes ?? []).map((volume) => {
      const [source = '', target = ''] = volume.split(':');
      return { source: source.replace(/^\.\//, 'deploy/'), target };
    });
    const provisioning = mounts.find((mount) => mount.target === '/etc/grafana/provisioning');
    expect(provisioning?.source).toBe('deploy/grafana/provisioning');

    const provider = parseYaml<{ providers: { type: string; options: { path: string } }[] }>(
      'deploy/grafana/provisioning/dashboards/gateway.yaml',
    ).providers[0];
    const dashboards = mounts.filter((mount) => mount.target.startsWith(`${provider?.options.path}/`));
    expect(dashboards.map((mount) => mount.source)).toEqual(['deploy/grafana/gateway.json']);
    expect(existsSync(`${root}deploy/grafana/gateway.json`)).toBe(true);
    expect(dashboards.map((mount) => mount.target)).toContain(
      grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH,
    );

    const datasource = parseYaml<{ datasources: { type: string; url: string; isDefault?: boolean }[] }>(
      'deploy/grafana/provisioning/datasources/prometheus.yaml',
    ).datasources[0];
    expect(datasource?.type).toBe('prometheus');
    expect(datasource?.isDefault).toBe(true);
    expect(Object.keys(compose.services)).toContain(new URL(datasource?.url ?? 'http://none').hostname);
  });
});

describe('deploy/kubernetes', () => {
  const port = podSetting('PORT');
  const metricsPort = podSetting('METRICS_PORT');
  /** A probe's or Service's port: a number, or the name of one of the container's ports. */
  const namedPort = (ref: string | number | undefined) =>
    typeof ref === 'number' ? ref : container.ports?.find((candidate) => candidate.name === ref)?.containerPort;

  it('applies every manifest through kustomization.yaml but the example Secret', () => {
    const kustomization = parseYaml<{ resources: string[] }>('deploy/kubernetes/kustomization.yaml');
    const applicable = kubernetesFiles
      .map((file) => file.slice('deploy/kubernetes/'.length))
      .filter((file) => file !== 'kustomization.yaml' && !file.endsWith('.example.yaml'));
    expect([...kustomization.resources].sort()).toEqual(applicable);
  });

  it('has the Service, the budget and the autoscaler select the Deployment and its pods', () => {
    const selector = deployment.spec.selector.matchLabels;
    expect(pod.metadata.labels).toMatchObject(selector);
    expect(pod.metadata.labels).toMatchObject(manifest<Service>('Service').spec.selector);
    expect(manifest<PodDisruptionBudget>('PodDisruptionBudget').spec.selector.matchLabels).toEqual(selector);
    expect(manifest<HorizontalPodAutoscaler>('HorizontalPodAutoscaler').spec.scaleTargetRef).toMatchObject({
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
  });

  it('serves GraphQL and metrics on the configured ports, through the Service and to Prometheus', () => {
    expect(namedPort('http')).toBe(port);
    expect(namedPort('metrics')).toBe(metricsPort);
    const service = manifest<Service>('Service');
    expect(service.spec.ports.map((servicePort) => namedPort(servicePort.targetPort))).toEqual([port, metricsPort]);
    expect(pod.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(metricsPort),
      'prometheus.io/path': '/metrics',
    });
  });

  it('probes liveness on /health and readiness on /ready, on the GraphQL port', () => {
    for (const probe of [container.startupProbe, container.livenessProbe]) {
      expect(probe?.httpGet?.path).toBe('/health');
      expect(namedPort(probe?.httpGet?.port)).toBe(port);
    }
    expect(container.readinessProbe?.httpGet?.path).toBe('/ready');
    expect(namedPort(container.readinessProbe?.httpGet?.port)).toBe(port);
  });

  it('takes a draining pod out of the Service before it stops serving', () => {
    const readiness = container.readinessProbe;
    // Kubernetes' defaults: every 10 s, 3 failures.
    const notReadyWithinMs = (readiness?.periodSeconds ?? 10) * (readiness?.failureThreshold ?? 3) * 1000;
    expect(notReadyWithinMs).toBeLessThan(podSetting('SHUTDOWN_DELAY_MS'));
  });

  it('sleeps in preStop exactly SHUTDOWN_DELAY_MS', () => {
    expect(preStopSeconds() * 1000).toBe(podSetting('SHUTDOWN_DELAY_MS'));
  });

  it('gives a pod longer than preStop, the delay, the drain and the trace flush together', () => {
    const stopMs =
      preStopSeconds() * 1000 + podSetting('SHUTDOWN_DELAY_MS') + podSetting('SHUTDOWN_TIMEOUT_MS') + traceFlushMs();
    expect((pod.spec.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(stopMs);
  });

  it('runs as a non-root user, read-only, with no privileges to gain', () => {
    expect(pod.spec.securityContext?.runAsNonRoot).toBe(true);
    // runAsNonRoot cannot verify the image's user by name: a numeric one must be set.
    expect(pod.spec.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it("requests what it needs and caps V8's old generation below the memory limit", () => {
    const { requests = {}, limits = {} } = container.resources ?? {};
    expect(mebibytes(requests.memory ?? '0')).toBeGreaterThan(0);
    expect(mebibytes(requests.memory ?? '0')).toBeLessThanOrEqual(mebibytes(limits.memory ?? '0'));
    const nodeOptions = container.env?.find((variable) => variable.name === 'NODE_OPTIONS')?.value;
    expect(maxOldSpaceMiB(nodeOptions)).toBeLessThan(mebibytes(limits.memory ?? '0'));
    // CPU utilisation, what the autoscaler targets, is measured against the request.
    const autoscaler = manifest<HorizontalPodAutoscaler>('HorizontalPodAutoscaler');
    expect(autoscaler.spec.metrics.map((metric) => metric.resource?.name)).toEqual(['cpu']);
    expect(requests.cpu).toBeDefined();
  });

  it('scales within bounds that let a node drain go ahead', () => {
    const autoscaler = manifest<HorizontalPodAutoscaler>('HorizontalPodAutoscaler').spec;
    const budget = manifest<PodDisruptionBudget>('PodDisruptionBudget').spec;
    expect(autoscaler.minReplicas).toBeGreaterThanOrEqual(2);
    expect(autoscaler.minReplicas).toBeLessThanOrEqual(deployment.spec.replicas ?? 1);
    expect(deployment.spec.replicas ?? 1).toBeLessThanOrEqual(autoscaler.maxReplicas);
    // A budget that allows no eviction at the smallest size blocks every node drain.
    const evictable = budget.maxUnavailable ?? autoscaler.minReplicas - (budget.minAvailable ?? autoscaler.minReplicas);
    expect(evictable).toBeGreaterThanOrEqual(1);
  });
});

describe("docs/operations.md's Running at scale", () => {
  const operations = read('docs/operations.md');
  const start = operations.indexOf('\n## Running at scale\n');
  const end = operations.indexOf('\n## ', start + 1);
  const section = start === -1 ? '' : operations.slice(start, end === -1 ? undefined : end);

  it('names every deployment file users start from', () => {
    const files = ['Dockerfile', 'compose.yaml', 'haproxy.cfg', 'prometheus.yml', 'gateway.env'];
    expect(files.filter((file) => !section.includes(`\`${file}\``))).toEqual([]);
    expect(section).toContain('`gateway.secrets.env.example`');
    expect(section).toContain('`secret.example.yaml`');
  });

  it("states the manifests' stop timings and memory sizing as they are", () => {
    expect(section).toContain(`a \`preStop\` sleep of ${preStopSeconds()} s`);
    expect(section).toContain(`\`terminationGracePeriodSeconds: ${pod.spec.terminationGracePeriodSeconds}\``);
    expect(section).toContain(`\`stop_grace_period: ${gatewayService.stop_grace_period}\``);
    const { requests = {}, limits = {} } = container.resources ?? {};
    expect(section.replace(/\s+/g, ' ')).toContain(`request ${mebibytes(requests.memory ?? '0')} MiB`);
    expect(section.replace(/\s+/g, ' ')).toContain(`limit ${mebibytes(limits.memory ?? '0')} MiB`);
    const nodeOptions = container.env?.find((variable) => variable.name === 'NODE_OPTIONS')?.value;
    expect(section).toContain(`\`--max-old-space-size=${maxOldSpaceMiB(nodeOptions)}\``);
  });
});
