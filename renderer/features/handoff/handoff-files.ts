// Hand-off files move through the browser as bytes: an <input type=file> is
// read here as base64 (the engine accepts base64 or a path in its data
// folder), and files the engine wrote are offered as downloads.

const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

export class HandoffFileError extends Error {
  override name = 'HandoffFileError';
}

/** The file's bytes as base64, without the data-URL prefix. */
export function readFileAsBase64(file: File): Promise<string> {
  if (file.size === 0) return Promise.reject(new HandoffFileError(`${file.name} is empty: it is not a hand-off file.`));
  if (file.size > MAX_UPLOAD_BYTES) return Promise.reject(new HandoffFileError(`${file.name} is ${Math.round(file.size / 1024 / 1024)} MB: too large to be a hand-off file.`));
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(new HandoffFileError(`${file.name} cannot be read (${reader.error?.message ?? 'unknown error'}).`));
    reader.onload = () => {
      const url = String(reader.result);
      const comma = url.indexOf(',');
      resolve(comma >= 0 ? url.slice(comma + 1) : url);
    };
    reader.readAsDataURL(file);
  });
}

export function downloadBase64(fileName: string, base64: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
