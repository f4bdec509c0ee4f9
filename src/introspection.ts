// How much introspection one document may ask for. A `__schema` walk answers
// the whole schema (tens of kilobytes), and aliases multiply it: thirty of
// them made megabytes for one small request. Clients ask for the schema once
// (GraphiQL, codegen) and for a few types by name; more is refused. A
// deployment may also turn introspection off.

import {
  type ASTVisitor,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Most fields of each introspection entry point in one document. */
export const introspectionLimits: Readonly<Record<'__schema' | '__type', number>> = Object.freeze({
  __schema: 1,
  __type: 10,
});

function introspectionLimitRule(context: ValidationContext): ASTVisitor {
  const seen = { __schema: 0, __type: 0 };
  return {
    Field(field) {
      const name = field.name.value;
      if (name !== '__schema' && name !== '__type') return;
      seen[name]++;
      if (seen[name] === introspectionLimits[name] + 1) {
        context.reportError(
          new GraphQLError(`a document may ask for ${name} at most ${introspectionLimits[name]} time(s)`, {
            nodes: field,
            extensions: { code: 'LIMIT_EXCEEDED', reason: 'INTROSPECTION' },
          }),
        );
      }
    },
  };
}

/** `enabled: false` refuses any `__schema` or `__type` (`__typename` stays). */
export function useIntrospectionLimits(options: { readonly enabled: boolean }): Plugin {
  const rule: ValidationRule = options.enabled ? introspectionLimitRule : NoSchemaIntrospectionCustomRule;
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
