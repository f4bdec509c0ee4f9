// Demand control: an operation's upstream calls priced before it runs
// (schema/upstream-cost.ts), checked against MAX_UPSTREAM_CALLS for its
// HTTP request (a batch shares the budget) and refused whole, with no call,
// when the calls it makes whatever the lists hold are over it
// (DEMAND_CONTROL=enforce): a window's exactly, a refetch's first page (its
// scan may go on to REFETCH_MAX_PAGES; the budget stops it there as it
// reads). Measured either way, in
// `graphql_operation_cost` and, when asked, in the response's
// `extensions.cost { estimated actual }`.

import type { DocumentNode, ExecutionArgs, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LimitExceededError } from '../contract/errors.ts';

export type DemandControlMode = 'measure' | 'enforce';

/** An operation's upstream calls: at most, and whatever the lists hold. */
export interface UpstreamCalls {
  readonly calls: number;
  readonly minimum: number;
}

export interface DemandControlOptions {
  readonly mode: DemandControlMode;
  /** MAX_UPSTREAM_CALLS: the calls one HTTP request may make. */
  readonly maxUpstreamCalls: number;
  /** COST_IN_EXTENSIONS: every response says its cost, not only to a request with `x-graphql-cost: true`. */
  readonly costInExtensions: boolean;
  /** The operation's upstream calls, before it runs; undefined when it cannot run. */
  readonly estimate: (
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Readonly<Record<string, unknown>> | undefined,
    operationName: string | null | undefined,
  ) => UpstreamCalls | undefined;
  /** The calls the operation whose context this is made, once it ran (request telemetry counts them). */
  readonly actualCalls: (context: object) => number | undefined;
  /** Counts an operation's estimated and actual calls. */
  readonly observe: (estimated: number, actual: number) => void;
}

/** The header a request asks for its cost with. */
export const costHeader = 'x-graphql-cost';

export interface DemandControl extends Plugin {
  /** The estimate of the operation whose context this is, once it is about to run. */
  estimateOf(context: object): UpstreamCalls | undefined;
}

export function useDemandControl(options: DemandControlOptions): DemandControl {
  const estimates = new WeakMap<object, UpstreamCalls>();
  /** What the operations of one HTTP request are estimated to take together: they share its budget. */
  const committed = new WeakMap<Request, number>();
  return {
    estimateOf: (context) => estimates.get(context),
    onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as { request: Request };
      const cost = options.estimate(args.schema, args.document, variablesOf(args), args.operationName);
      if (!cost) return;
      estimates.set(context, cost);
      // Refused only when it cannot fit: a refetch's scan may end at its first page.
      const total = (committed.get(context.request) ?? 0) + cost.minimum;
      if (options.mode === 'enforce' && total > options.maxUpstreamCalls) {
        options.observe(cost.calls, 0);
        setResultAndStopExecution({ errors: [overBudget(cost, total, options.maxUpstreamCalls)] });
        return;
      }
      committed.set(context.request, total);
      const showCost =
        options.costInExtensions || context.request.headers.get(costHeader)?.trim().toLowerCase() === 'true';
      return {
        onExecuteDone({ result, setResult }) {
          // An incremental result has no one place for its cost; none streams here today.
          if (Symbol.asyncIterator in result) return;
          const actual = options.actualCalls(context) ?? 0;
          options.observe(cost.calls, actual);
          if (showCost) {
            setResult({ ...result, extensions: { ...result.extensions, cost: { estimated: cost.calls, actual } } });
          }
        },
      };
    },
  };
}

function variablesOf(args: ExecutionArgs): Readonly<Record<string, unknown>> | undefined {
  return (args.variableValues ?? undefined) as Readonly<Record<string, unknown>> | undefined;
}

function overBudget(cost: UpstreamCalls, total: number, max: number) {
  const shared = total > cost.minimum ? ` (with the other operations of this request: ${total})` : '';
  const error = new LimitExceededError(
    `this operation would make at least ${cost.minimum} upstream calls${shared}, over MAX_UPSTREAM_CALLS (${max}): ask for fewer or smaller pages`,
    'MAX_UPSTREAM_CALLS',
  );
  Object.assign(error.extensions, { cost: { estimated: cost.calls } });
  return error;
}
