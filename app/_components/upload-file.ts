/** Streams one file to /api/uploads with progress (fetch cannot report upload progress). */
export interface UploadedFile {
  id: string;
  fileName: string;
  sizeBytes: number;
  sha256: string;
}

export function uploadFile(workspaceId: string, file: File, onProgress: (fraction: number) => void): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const params = new URLSearchParams({ workspaceId, fileName: file.name });
    xhr.open("POST", `/api/uploads?${params.toString()}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      const body = (() => {
        try {
          return JSON.parse(xhr.responseText) as UploadedFile & { error?: string };
        } catch {
          return { error: xhr.statusText } as UploadedFile & { error?: string };
        }
      })();
      if (xhr.status === 201) resolve(body);
      else reject(new Error(body.error ?? `Upload failed (${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error("Network error during upload"));
    xhr.send(file);
  });
}
