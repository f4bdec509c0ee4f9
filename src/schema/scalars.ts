import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { builder } from './builder.ts';

builder.addScalarType('DateTime', DateTimeResolver, {
  description:
    'An ISO-8601 instant in UTC, such as `2024-03-01T10:20:30.000Z`. An upstream date without a time is midnight UTC.',
  // Every DateTime we serve comes from the upstream decoder, which already
  // wrote it as an ISO-8601 UTC instant: validating it again per field would
  // only cost time. Inputs still go through graphql-scalars' checks.
  serialize: (value) => (typeof value === 'string' ? value : DateTimeResolver.serialize(value)),
});

builder.addScalarType('JSON', JSONResolver, {
  description: 'Any JSON value, passed through from the upstream as it is.',
});
