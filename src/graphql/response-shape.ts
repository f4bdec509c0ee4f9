// The shape of an operation's `data`, known before it runs: for each object
// its response keys in the order execution writes them (the spec's
// CollectFields: first occurrence wins, fragments inlined where their type
// condition holds), each key's value a leaf, a list, an object of one known
// type, or anything (`any`: an interface or union, whose keys depend on what
// each item turns out to be). `data-writer.ts` turns a shape into a
// serializer that needs no key lookups. Only what is certain gets a shape: a
// document whose fields depend on its variables (`@skip`/`@include` on one)
// or that asks for a mutation or subscription gets none, and is serialised
// generically.

import {
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export type ResponseShape =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'any' }
  | { readonly kind: 'list'; readonly item: ResponseShape }
  | { readonly kind: 'object'; readonly fields: readonly ResponseField[] };

export interface ResponseField {
  readonly key: string;
  readonly shape: ResponseShape;
}

/**
 * Beyond this many response keys in all (fragments spread again and again
 * multiply them), or this many characters of them (an alias may be long), no
 * shape: its writer's code grows with both, and would cost more to generate
 * and keep than it saves.
 */
export const maxShapeFields = 2_000;
export const maxShapeKeyChars = 16_384;

class NoShape extends Error {}

/** The shape of `data` for the document's operation (`operationName` picks one), or undefined when it is not certain. */
export function responseShapeOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
): ResponseShape | undefined {
  const operation = operationOf(document, operationName);
  const root = schema.getQueryType();
  if (operation?.operation !== 'query' || !root) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const planner = { schema, fragments, fieldsLeft: maxShapeFields, keyCharsLeft: maxShapeKeyChars };
  try {
    return objectShape(planner, root, [operation.selectionSet]);
  } catch (error) {
    if (error instanceof NoShape) return undefined;
    throw error;
  }
}

function operationOf(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (operationName == null) return operations.length === 1 ? operations[0] : undefined;
  return operations.find((operation) => operation.name?.value === operationName);
}

interface Planner {
  readonly schema: GraphQLSchema;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  fieldsLeft: number;
  keyCharsLeft: number;
}

/** An object of `type` selected by `selectionSets` (one per field node merged under its key). */
function objectShape(
  planner: Planner,
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
): ResponseShape {
  const byKey = new Map<string, FieldNode[]>();
  const visited = new Set<string>();
  for (const selectionSet of selectionSets) collectFields(planner, type, selectionSet, byKey, visited);
  const fields: ResponseField[] = [];
  for (const [key, nodes] of byKey) {
    // A key that names the prototype would be read from it, not from the result.
    if (key === '__proto__') throw new NoShape();
    planner.fieldsLeft -= 1;
    planner.keyCharsLeft -= key.length;
    if (planner.fieldsLeft < 0 || planner.keyCharsLeft < 0) throw new NoShape();
    const first = nodes[0] as FieldNode;
    const name = first.name.value;
    if (name === '__typename') {
      fields.push({ key, shape: { kind: 'leaf' } });
      continue;
    }
    const field: GraphQLField<unknown, unknown> | undefined = type.getFields()[name];
    // Introspection's `__schema` and `__type` are nowhere in the root's fields.
    const shape = field ? valueShape(planner, field.type, nodes) : ({ kind: 'any' } as const);
    fields.push({ key, shape });
  }
  return { kind: 'object', fields };
}

function valueShape(planner: Planner, type: GraphQLOutputType, nodes: readonly FieldNode[]): ResponseShape {
  const nullable = isNonNullType(type) ? type.ofType : type;
  if (isListType(nullable)) return { kind: 'list', item: valueShape(planner, nullable.ofType, nodes) };
  if (isLeafType(nullable)) return { kind: 'leaf' };
  if (isObjectType(nullable)) {
    const selectionSets = nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
    return objectShape(planner, nullable, selectionSets);
  }
  return { kind: 'any' };
}

/** The spec's CollectFields for an object type: fields by response key, in the order they first appear. */
function collectFields(
  planner: Planner,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  byKey: Map<string, FieldNode[]>,
  visited: Set<string>,
): void {
  for (const selection of selectionSet.selections) {
    if (!included(selection)) continue;
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const nodes = byKey.get(key);
      if (nodes) nodes.push(selection);
      else byKey.set(key, [selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (conditionHolds(planner.schema, selection.typeCondition?.name.value, type)) {
        collectFields(planner, type, selection.selectionSet, byKey, visited);
      }
    } else {
      const name = selection.name.value;
      if (visited.has(name)) continue;
      visited.add(name);
      const fragment = planner.fragments.get(name);
      if (fragment && conditionHolds(planner.schema, fragment.typeCondition.name.value, type)) {
        collectFields(planner, type, fragment.selectionSet, byKey, visited);
      }
    }
  }
}

function conditionHolds(schema: GraphQLSchema, condition: string | undefined, type: GraphQLObjectType): boolean {
  if (condition === undefined) return true;
  const conditionType = schema.getType(condition);
  if (conditionType === type) return true;
  return conditionType !== undefined && isAbstractType(conditionType) && schema.isSubType(conditionType, type);
}

/**
 * `@skip`/`@include` with a literal decide here; with a variable, or any
 * other directive on a selection, the keys are not certain.
 */
function included(selection: { readonly directives?: readonly DirectiveNode[] }): boolean {
  let include = true;
  for (const directive of selection.directives ?? []) {
    const name = directive.name.value;
    const condition = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
    if ((name !== 'skip' && name !== 'include') || condition?.kind !== Kind.BOOLEAN) throw new NoShape();
    if (name === 'skip' && condition.value) include = false;
    if (name === 'include' && !condition.value) include = false;
  }
  return include;
}
