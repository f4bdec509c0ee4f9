// How much introspection one document may ask for. A `__schema` walk answers
// the whole schema (tens of kilobytes), and aliases multiply it: thirty of
// them, at the root or inside `__schema`, made megabytes for one small
// request. Clients ask for the schema once (GraphiQL, codegen), with no
// aliases inside it, and for a few types by name; more is refused. A
// deployment may also turn introspection off.

import {
  type ASTVisitor,
  type FieldNode,
  type GraphQLError,
  NoSchemaIntrospectionCustomRule,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LimitExceededError } from '../contract/errors.ts';

/** Most fields of each introspection entry point in one document. */
const introspectionLimits: Readonly<Record<'__schema' | '__type', number>> = Object.freeze({
  __schema: 1,
  __type: 10,
});

function introspectionLimitRule(context: ValidationContext): ASTVisitor {
  const seen = { __schema: 0, __type: 0 };
  let aliasReported = false;
  return {
    Field(field) {
      // Fields of the introspection types (`__Type`, `__Field`, …), in fragments too.
      if (field.alias && !aliasReported && context.getParentType()?.name.startsWith('__')) {
        aliasReported = true;
        context.reportError(limitError('introspection fields may not be aliased', field));
      }
      const name = field.name.value;
      if (name !== '__schema' && name !== '__type') return;
      seen[name]++;
      if (seen[name] === introspectionLimits[name] + 1) {
        context.reportError(
          limitError(`a document may ask for ${name} at most ${introspectionLimits[name]} time(s)`, field),
        );
      }
    },
  };
}

function limitError(message: string, field: FieldNode): GraphQLError {
  return new LimitExceededError(message, 'INTROSPECTION', field);
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
