import type { Plugin } from 'graphql-yoga';
export function useRequestErrorCodes(): Plugin {
  return {};
}
