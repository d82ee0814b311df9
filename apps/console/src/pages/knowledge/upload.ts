import { authHeaders } from '../../api/client';
import { ApiError, errorFromBody } from '../../api/errors';
import type { UploadResult } from './types';

/**
 * Uploads files to a knowledge base as one multipart request, reporting the bytes sent as they go.
 * The one request of the console outside the typed client: fetch cannot report upload progress,
 * XMLHttpRequest can. Resolves with the upload's result (its job, stored and skipped documents),
 * rejects with the API's error as an ApiError.
 */
export async function uploadDocuments(
  knowledgeId: string,
  files: readonly File[],
  onProgress: (sent: number, total: number) => void,
  signal?: AbortSignal,
): Promise<UploadResult> {
  const form = new FormData();
  for (const f of files) form.append('files', f, f.name);
  const headers = await authHeaders();
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/v1/knowledge/${encodeURIComponent(knowledgeId)}/documents`);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    };
    xhr.onload = () => {
      const body = xhr.response as { data?: UploadResult } | null;
      if (xhr.status >= 200 && xhr.status < 300 && body?.data) resolve(body.data);
      else reject(errorFromBody(xhr.status, body));
    };
    xhr.onerror = () => reject(errorFromBody(0, null));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'The upload was cancelled.'));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(form);
  });
}
