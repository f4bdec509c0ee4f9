// Which upstream page a request asks for, as one string: the key under which
// the per-request loader, coalescing and the page cache each find the same
// page (each adds what it must keep apart: a credential, a validator).
// The org id comes last: it is the one part that may hold any character.

export interface PageRequest {
  readonly orgId: string;
  readonly page: number;
  readonly take: number;
}

export function pageRequestKey(request: PageRequest): string {
  return `${request.take}:${request.page}:${request.orgId}`;
}
