/** The `pngjs` package (CommonJS, no bundled types): the synchronous decoder is all slope uses. */
declare module 'pngjs' {
  export const PNG: { sync: { read(b: Uint8Array): { width: number; height: number; data: Uint8Array; colorType: number } } };
}
