// A connection inside a connection multiplies page sizes: assistants →
// organization → assistants → … of first: 100 each is 100ⁿ items from one
// cached upstream page. Depth and cost limits do not see page sizes, so this
// rule refuses any path that nests one connection in another.

import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLNamedType,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

const isConnection = (type: GraphQLNamedType | undefined) => type?.name.endsWith('Connection') === true;

function connectionNestingRule(context: ValidationContext): ASTVisitor {
  const schema = context.getSchema();
  const fragments = new Map<string, FragmentDefinitionNode>(
    context
      .getDocument()
      .definitions.flatMap((definition) =>
        definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
      ),
  );

  /** Reports the first field that opens a connection inside another; true once reported. */
  function walk(
    selectionSet: SelectionSetNode,
    parent: GraphQLNamedType,
    insideConnection: boolean,
    spreads: string[],
  ): boolean {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const field =
          isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
        if (!field || !selection.selectionSet) continue;
        const type = getNamedType(field.type);
        const opens = isConnection(type);
        if (opens && insideConnection) {
          context.reportError(
            new GraphQLError(
              `${selection.name.value} is nested inside another connection: their page sizes would multiply. Query it at the top level instead.`,
              { nodes: selection },
            ),
          );
          return true;
        }
        if (walk(selection.selectionSet, type, insideConnection || opens, spreads)) return true;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && walk(selection.selectionSet, type, insideConnection, spreads)) return true;
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // A spread already on this path is a cycle: another rule reports it.
        if (!fragment || spreads.includes(name)) continue;
        const type = schema.getType(fragment.typeCondition.name.value);
        if (type && walk(fragment.selectionSet, type, insideConnection, [...spreads, name])) return true;
      }
    }
    return false;
  }

  return {
    OperationDefinition(operation) {
      const root =
        operation.operation === 'query'
          ? schema.getQueryType()
          : operation.operation === 'mutation'
            ? schema.getMutationType()
            : schema.getSubscriptionType();
      if (root) walk(operation.selectionSet, root, false, []);
    },
  };
}

export function useConnectionNestingLimit(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(connectionNestingRule);
    },
  };
}
