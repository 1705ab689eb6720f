/** An HTTP call's outcome as the suites read it: the status and the JSON body, or null when it has none. */
export interface JsonResponse<T> {
  status: number;
  body: T;
}

export interface CallOptions {
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as `Authorization: Bearer <key>`; none when null or missing. */
  key?: string | null;
}

/** One call to a roomwatch service, in process or child process alike. */
export async function callJson<T = unknown>(baseUrl: string, path: string, init: CallOptions = {}): Promise<JsonResponse<T>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as T };
}
