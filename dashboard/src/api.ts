import { createClient, type Client } from 'graphql-ws';

/** The viewer's token: from the link npm start prints (#token=…), kept for this tab only. */
export function takeToken(): string | null {
  const hash = new URLSearchParams(window.location.hash.slice(1));
  const given = hash.get('token');
  if (given) {
    sessionStorage.setItem('backbone-token', given);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem('backbone-token');
}

export function signOut(): void {
  sessionStorage.removeItem('backbone-token');
}

/** The claims of a JWT, read (not verified: the service verifies every request). */
export function claims(token: string): { tenant_id?: string; role?: string; exp?: number } {
  try {
    const part = token.split('.')[1] ?? '';
    return JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as {
      tenant_id?: string;
      role?: string;
    };
  } catch {
    return {};
  }
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export async function gql<T>(
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json().catch(() => ({}))) as {
    data?: T;
    errors?: { message: string }[];
  };
  if (body.errors?.length)
    throw new ApiError(body.errors.map((e) => e.message).join('; '), res.status);
  if (!res.ok || !body.data) throw new ApiError(`request failed (${res.status})`, res.status);
  return body.data;
}

export async function rest<T>(token: string, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: { ...init.headers, authorization: `Bearer ${token}` },
  });
  const body = (await res.json().catch(() => ({}))) as T & { message?: string };
  if (!res.ok) throw new ApiError(body.message ?? `request failed (${res.status})`, res.status);
  return body;
}

let ws: { token: string; client: Client } | undefined;

/** One graphql-ws connection per token, shared by every live widget. */
export function live(token: string): Client {
  if (ws?.token !== token) {
    void ws?.client.dispose();
    const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`;
    ws = {
      token,
      client: createClient({ url, connectionParams: { authorization: `Bearer ${token}` } }),
    };
  }
  return ws.client;
}
