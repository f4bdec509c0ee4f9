// What an operation costs in upstream calls, known before it runs: the
// planner's own pages for every `assistants` window (its cursor's offset
// read from the cursor), the scan of an organization's list for every
// refetched id (`node`, `nodes`, `_entities`: up to REFETCH_MAX_PAGES pages,
// one scan per organization), and the pages two fields share counted once,
// as the request's page loader shares them. Aliases and fragments count as
// the execution would run them (@skip and @include too); introspection and
// every other field cost nothing. On a list that does not change, a window's
// estimate is its exact cost; a refetch's is its most, and its least is the
// first page of each scan.

import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  GraphQLIncludeDirective,
  type GraphQLObjectType,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import { firstRead } from '../paging/anchoring.ts';
import {
  type ConnectionArgs,
  fetchRange,
  type PageRequest,
  type PagingOptions,
  planPages,
  probeRange,
  resolveConnection,
  type Window,
} from '../paging/windows.ts';
import { decodeGlobalId, splitKey } from './global-id.ts';
import { maxNodeIds } from './node.ts';

export interface CostOptions {
  readonly paging: PagingOptions;
  /** REFETCH_MAX_PAGES: the most pages one organization's scan reads. */
  readonly refetchMaxPages: number;
  /** MAX_ENTITIES: the most representations `_entities` takes; over it, it is refused before any call. */
  readonly maxEntities: number;
}

/** What an operation will ask of the upstream (the page cache may answer some: then fewer calls reach it). */
export interface UpstreamCost {
  /** Calls at most, each page once: a window's exactly, a refetch's scan at its longest. */
  readonly calls: number;
  /** Calls it makes whatever the lists hold: a window's, and the first page of each scan. */
  readonly minimum: number;
}

/** The object a selection set is read on: its type, and the organization it belongs to when known. */
interface Parent {
  readonly type: GraphQLObjectType;
  readonly org: string | undefined;
  /**
   * Under a refetch (`node`, `nodes`, `_entities`): its fields run once the
   * scan has answered, after every field that needs none, so they can
   * share no page they would read first.
   */
  readonly deferred: boolean;
  /** Its fields run whatever the lists hold: not under a refetched object, which may not be found. */
  readonly certain: boolean;
}

/** The pages an operation asks for, as its page loader would key them. */
class PagePlan {
  /** Pages of the windows that run first, in document order, by organization: a later window may read inside one. */
  private readonly direct = new Map<string, PageRequest[]>();
  /** Every window's page, once. */
  private readonly windowPages = new Set<string>();
  /** The pages of windows that run whatever the lists hold. */
  private readonly certainPages = new Set<string>();
  /** Organizations scanned, each once, whatever its number of ids. */
  private readonly scanned = new Set<string>();

  constructor(private readonly options: CostOptions) {}

  get maxEntities(): number {
    return this.options.maxEntities;
  }

  /** Window pages, and each scan's pages at its longest, a page a window also reads counted once. */
  get calls(): number {
    let calls = this.windowPages.size;
    for (const org of this.scanned) calls += this.options.refetchMaxPages - this.scanPagesOfWindows(org);
    return calls;
  }

  /** Window pages, and each scan's first page (read whatever the list holds). */
  get minimum(): number {
    let minimum = this.certainPages.size;
    for (const org of this.scanned) {
      if (!this.certainPages.has(this.keyOf(org, this.scanPage(0)))) minimum++;
    }
    return minimum;
  }

  /** A window of `org`'s list: the pages its loader reads, each new one a call. */
  connection(org: string, args: ConnectionArgs, { deferred, certain }: Pick<Parent, 'deferred' | 'certain'>): void {
    let range: Window;
    let probes = false;
    try {
      const { window, cursor } = resolveConnection(args, org);
      range = cursor?.anchor ? firstRead(window, cursor, this.options.paging) : fetchRange(window);
      // An `after` cursor without marks may point past the list's end: then the list's first item is read too.
      probes = cursor !== undefined && !cursor.anchor && cursor.direction === 'after' && range.start > 0;
    } catch {
      // Bad arguments: the field fails before any call.
      return;
    }
    const requested = this.direct.get(org) ?? [];
    // A page an earlier window of this operation asks for that covers the range is read again, for nothing.
    if (!deferred && requested.some((page) => page.offset <= range.start && page.offset + page.take >= range.end)) {
      return;
    }
    const plan = planPages(range, this.options.paging);
    if (probes) plan.push(...planPages(probeRange, this.options.paging));
    for (const page of plan) {
      this.windowPages.add(this.keyOf(org, page));
      if (certain) this.certainPages.add(this.keyOf(org, page));
      if (!deferred) requested.push(page);
    }
    this.direct.set(org, requested);
  }

  /** A refetch of `org`'s objects: its scan, at most REFETCH_MAX_PAGES pages at the upstream's cap, once per org. */
  scan(org: string): void {
    this.scanned.add(org);
  }

  /** How many of `org`'s scan pages a window reads too. */
  private scanPagesOfWindows(org: string): number {
    let shared = 0;
    for (let index = 0; index < this.options.refetchMaxPages; index++) {
      if (this.windowPages.has(this.keyOf(org, this.scanPage(index)))) shared++;
      // Window pages are few: past the furthest, none is shared.
      if (shared === this.windowPages.size) break;
    }
    return shared;
  }

  private scanPage(index: number): PageRequest {
    const { maxTake, pageBase } = this.options.paging;
    return { page: pageBase + index, take: maxTake, offset: index * maxTake };
  }

  private keyOf(org: string, page: PageRequest): string {
    return `${page.page}/${page.take}/${org}`;
  }
}

/**
 * The upstream calls of the operation `operationName` of `document`, with
 * `variables`; undefined when the operation or its variables are not valid
 * (it will fail before any call).
 */
export function estimateUpstreamCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  operationName: string | null | undefined,
  options: CostOptions,
): UpstreamCost | undefined {
  const operation = getOperationAST(document, operationName);
  const root = operation?.operation === 'query' ? schema.getQueryType() : undefined;
  if (!operation || !root) return operation ? { calls: 0, minimum: 0 } : undefined;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const walk = new CostWalk(schema, fragments, coerced.coerced, new PagePlan(options));
  walk.selections(operation.selectionSet, { type: root, org: undefined, deferred: false, certain: true });
  return { calls: walk.plan.calls, minimum: walk.plan.minimum };
}

/** Walks a field's selection set on the object it returns (`refetched`: found by a refetch). */
type Into = (type: string, org: string | undefined, refetched?: true) => void;

class CostWalk {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
    readonly plan: PagePlan,
  ) {}

  /** Every field the selection set runs on `parent`, through its fragments. */
  selections(selectionSet: SelectionSetNode, parent: Parent, seen: ReadonlySet<string> = new Set()): void {
    for (const selection of selectionSet.selections) {
      if (!this.included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        this.field(selection, parent);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (this.applies(selection.typeCondition?.name.value, parent.type)) {
          this.selections(selection.selectionSet, parent, seen);
        }
      } else {
        const fragment = this.fragments.get(selection.name.value);
        // A fragment that spreads itself is refused by validation; here it is simply not followed again.
        if (!fragment || seen.has(fragment.name.value)) continue;
        if (this.applies(fragment.typeCondition.name.value, parent.type)) {
          this.selections(fragment.selectionSet, parent, new Set([...seen, fragment.name.value]));
        }
      }
    }
  }

  private field(node: FieldNode, parent: Parent): void {
    const definition = parent.type.getFields()[node.name.value];
    // __typename, __schema, __type: answered from the schema.
    if (!definition || !node.selectionSet) return;
    const args = this.argumentsOf(definition, node);
    if (!args) return;
    const into: Into = (type, org, refetched) =>
      this.into(node.selectionSet as SelectionSetNode, {
        type: this.objectType(type),
        org,
        deferred: parent.deferred || refetched !== undefined,
        // An organization is always found; a refetched object may not be.
        certain: parent.certain && (refetched === undefined || type === 'Organization'),
      });
    switch (`${parent.type.name}.${node.name.value}`) {
      case 'Query.organization':
        into('Organization', stringOf(args.restId));
        break;
      case 'Organization.assistants':
        // Nothing under a connection costs more: a connection inside one is refused.
        if (parent.org !== undefined) this.plan.connection(parent.org, args as ConnectionArgs, parent);
        break;
      case 'Query.node':
        this.refetch([args.id], into);
        break;
      case 'Query.nodes':
        // Over their bounds, both fields are refused before any call.
        if (Array.isArray(args.ids) && args.ids.length <= maxNodeIds) this.refetch(args.ids, into);
        break;
      case 'Query._entities':
        if (Array.isArray(args.representations) && args.representations.length <= this.plan.maxEntities) {
          this.entities(args.representations, into);
        }
        break;
      default: {
        // Objects below keep their organization (an assistant's `organization` is its own).
        const type = namedObjectType(definition);
        if (type) this.selections(node.selectionSet, { ...parent, type });
      }
    }
  }

  /** Global ids: each organization's objects cost its scan; an organization costs nothing itself. */
  private refetch(ids: readonly unknown[], into: Into): void {
    for (const id of ids) {
      const located = typeof id === 'string' ? locate(id) : undefined;
      if (!located) continue;
      if (located.typename !== 'Organization') this.plan.scan(located.org);
      into(located.typename, located.org, true);
    }
  }

  private entities(representations: readonly unknown[], into: Into): void {
    for (const representation of representations) {
      const { __typename, id, restId } = (representation ?? {}) as Record<string, unknown>;
      if (__typename === 'Organization' && typeof restId === 'string') into('Organization', restId, true);
      else if (typeof id === 'string') this.refetch([id], into);
    }
  }

  private into(selectionSet: SelectionSetNode, parent: Omit<Parent, 'type'> & { type: GraphQLObjectType | undefined }) {
    if (parent.type) this.selections(selectionSet, { ...parent, type: parent.type });
  }

  private objectType(name: string): GraphQLObjectType | undefined {
    const type = this.schema.getType(name);
    return type && 'getFields' in type && !isAbstractType(type) ? (type as GraphQLObjectType) : undefined;
  }

  private argumentsOf(
    definition: GraphQLField<unknown, unknown>,
    node: FieldNode,
  ): Record<string, unknown> | undefined {
    try {
      return getArgumentValues(definition, node, this.variables);
    } catch {
      // Bad arguments: the field fails before it calls.
      return undefined;
    }
  }

  private included(node: { directives?: FieldNode['directives'] }): boolean {
    const skip = getDirectiveValues(GraphQLSkipDirective, node, this.variables);
    if (skip?.if === true) return false;
    const include = getDirectiveValues(GraphQLIncludeDirective, node, this.variables);
    return include?.if !== false;
  }

  /** Whether a fragment on `condition` runs on an object of `type`. */
  private applies(condition: string | undefined, type: GraphQLObjectType): boolean {
    if (condition === undefined || condition === type.name) return true;
    const target = this.schema.getType(condition);
    return target !== undefined && isAbstractType(target) && this.schema.isSubType(target, type);
  }
}

/** A global id's type and organization (its key's first part), or undefined when it is none. */
function locate(globalId: string): { typename: string; org: string } | undefined {
  try {
    const { typename, id } = decodeGlobalId(globalId);
    const [org] = splitKey(id, id.split('/').length, typename);
    return org === undefined ? undefined : { typename, org };
  } catch {
    return undefined;
  }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The object type a field returns, through lists and non-null. */
function namedObjectType(field: GraphQLField<unknown, unknown>): GraphQLObjectType | undefined {
  let type = field.type;
  while ('ofType' in type) type = type.ofType;
  return 'getFields' in type && !isAbstractType(type) ? (type as GraphQLObjectType) : undefined;
}
