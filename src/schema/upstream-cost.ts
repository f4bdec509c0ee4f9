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
}

/** The pages an operation asks for, as its page loader would key them, by organization. */
class PagePlan {
  private readonly byOrg = new Map<string, PageRequest[]>();
  private readonly keys = new Set<string>();
  /** The pages read whatever the lists hold. */
  private readonly certain = new Set<string>();
  private readonly scanned = new Set<string>();

  constructor(private readonly options: CostOptions) {}

  get maxEntities(): number {
    return this.options.maxEntities;
  }

  get calls(): number {
    return this.keys.size;
  }

  get minimum(): number {
    return this.certain.size;
  }

  /** A window of `org`'s list: the pages its loader reads, each new one a call. */
  connection(org: string, args: ConnectionArgs): void {
    let window: Window;
    let range: Window;
    try {
      const connection = resolveConnection(args, org);
      window = connection.window;
      range = connection.cursor?.anchor
        ? firstRead(window, connection.cursor, this.options.paging)
        : fetchRange(window);
    } catch {
      // Bad arguments: the field fails before any call.
      return;
    }
    // A page this operation already asks for that covers the range is read again, for nothing.
    const requested = this.byOrg.get(org) ?? [];
    if (requested.some((page) => page.offset <= range.start && page.offset + page.take >= range.end)) return;
    for (const page of planPages(range, this.options.paging)) this.add(org, page, true);
  }

  /** A refetch of `org`'s objects: its scan, at most REFETCH_MAX_PAGES pages at the upstream's cap, once per org. */
  scan(org: string): void {
    if (this.scanned.has(org)) return;
    this.scanned.add(org);
    const { maxTake, pageBase } = this.options.paging;
    for (let index = 0; index < this.options.refetchMaxPages; index++) {
      // A scan reads on until it finds its ids or the list ends: only its first page is sure.
      this.add(org, { page: pageBase + index, take: maxTake, offset: index * maxTake }, index === 0);
    }
  }

  private add(org: string, page: PageRequest, certain: boolean): void {
    const key = JSON.stringify([org, page.page, page.take]);
    if (certain) this.certain.add(key);
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.byOrg.set(org, [...(this.byOrg.get(org) ?? []), page]);
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
  walk.selections(operation.selectionSet, { type: root, org: undefined });
  return { calls: walk.plan.calls, minimum: walk.plan.minimum };
}

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
    const into = (type: string, org: string | undefined) => this.into(node.selectionSet as SelectionSetNode, type, org);
    switch (`${parent.type.name}.${node.name.value}`) {
      case 'Query.organization':
        into('Organization', stringOf(args.restId));
        break;
      case 'Organization.assistants':
        // Nothing under a connection costs more: a connection inside one is refused.
        if (parent.org !== undefined) this.plan.connection(parent.org, args as ConnectionArgs);
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
        if (type) this.selections(node.selectionSet, { type, org: parent.org });
      }
    }
  }

  /** Global ids: each organization's objects cost its scan; an organization costs nothing itself. */
  private refetch(ids: readonly unknown[], into: (type: string, org: string | undefined) => void): void {
    for (const id of ids) {
      const located = typeof id === 'string' ? locate(id) : undefined;
      if (!located) continue;
      if (located.typename !== 'Organization') this.plan.scan(located.org);
      into(located.typename, located.org);
    }
  }

  private entities(representations: readonly unknown[], into: (type: string, org: string | undefined) => void): void {
    for (const representation of representations) {
      const { __typename, id, restId } = (representation ?? {}) as Record<string, unknown>;
      if (__typename === 'Organization' && typeof restId === 'string') into('Organization', restId);
      else if (typeof id === 'string') this.refetch([id], into);
    }
  }

  private into(selectionSet: SelectionSetNode, typename: string, org: string | undefined): void {
    const type = this.schema.getType(typename);
    if (type && 'getFields' in type && !isAbstractType(type)) {
      this.selections(selectionSet, { type: type as GraphQLObjectType, org });
    }
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
